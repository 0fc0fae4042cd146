package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.engine.Embedder;
import io.inferd.engine.ModelRegistry;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An abandoned BatchEmbed frees the embedding threads; the embedding queue is bounded. */
class EmbeddingCancellationEndToEndTest {
  @TempDir Path dir;
  private RunningServer running;

  /** Costs 10 ms a text, like a real model on long texts, and counts what it embedded. */
  static final class SlowEmbedder implements Embedder {
    final AtomicInteger embedded = new AtomicInteger();

    @Override
    public int dimension() {
      return 4;
    }

    @Override
    public Embeddings embed(List<String> texts) {
      List<float[]> vectors = new ArrayList<>();
      for (String text : texts) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        embedded.incrementAndGet();
        vectors.add(new float[] {1, 0, 0, 0});
      }
      return new Embeddings(vectors, texts.size());
    }

    @Override
    public void close() {}
  }

  private final SlowEmbedder embedder = new SlowEmbedder();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  private void start() throws Exception {
    start(GrpcTransport.defaults());
  }

  private void start(GrpcTransport transport) throws Exception {
    ModelRegistry registry =
        ModelRegistry.builder()
            .generator("tiny", TestModels.tiny())
            .embedder("slow", embedder)
            .build();
    running =
        RunningServer.start(
            RunningServer.testConfig().parallel(1).queue(1).transport(transport).build(), registry);
  }

  private CompletableFuture<Status> batchEmbed(int texts, long deadlineMillis) {
    var ended = new CompletableFuture<Status>();
    StreamObserver<EmbedRequest> in =
        running
            .async()
            .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
            .batchEmbed(
                new StreamObserver<BatchEmbedResponse>() {
                  @Override
                  public void onNext(BatchEmbedResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
    for (int i = 0; i < texts; i++) {
      in.onNext(EmbedRequest.newBuilder().setText("text " + i).build());
    }
    in.onCompleted();
    return ended;
  }

  @Test
  void batchPastItsDeadline_stopsEmbeddingWithinAChunk() throws Exception {
    start();
    assertThat(batchEmbed(2_048, 2_000).get(30, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    Thread.sleep(500); // the chunk in progress when the deadline passed ends
    int afterDeadline = embedder.embedded.get();
    Thread.sleep(1_000);
    assertThat(embedder.embedded.get())
        .as("texts embedded after the deadline")
        .isEqualTo(afterDeadline);
    assertThat(afterDeadline).isLessThan(2_048);

    assertThat(batchEmbed(1, 10_000).get(15, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void batchesBeyondTheEmbeddingQueue_areResourceExhaustedAtOnce() throws Exception {
    start();
    List<CompletableFuture<Status>> batches = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      batches.add(batchEmbed(50, 30_000));
    }
    long exhausted = 0;
    for (CompletableFuture<Status> batch : batches) {
      if (batch.get(60, TimeUnit.SECONDS).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        exhausted++;
      }
    }
    assertThat(exhausted).as("batches refused of 80").isPositive();
  }

  @Test
  void restClientThatDisconnectsMidBatch_stopsTheEmbeddingWork_andIsLogged499() throws Exception {
    start();
    try (Socket socket = new Socket("127.0.0.1", running.server.httpPort())) {
      leaveMidBatch(socket);
    }
    assertTheBatchStopped_andWasLogged499();
  }

  @Test
  void restClientOverMutualTlsThatDisconnectsMidBatch_stopsTheEmbeddingWork_andIsLogged499()
      throws Exception {
    var certs = TestCertificates.create(dir);
    GrpcTransport plain = GrpcTransport.defaults();
    start(
        new GrpcTransport(
            plain.keepAliveTime(),
            plain.keepAliveTimeout(),
            plain.permitKeepAliveTime(),
            plain.maxConnectionIdle(),
            plain.maxConnectionAge(),
            plain.maxConnectionAgeGrace(),
            plain.maxInboundMessageBytes(),
            plain.maxConcurrentCallsPerConnection(),
            plain.maxResetsPer10s(),
            certs.serverCert,
            certs.serverKey,
            certs.caCert));
    Keys mine =
        Keys.builder()
            .pem(
                p ->
                    p.key(Resource.create(certs.clientKey))
                        .certChain(Resource.create(certs.clientCert)))
            .build();
    SSLContext client =
        Tls.builder()
            .trust(Keys.builder().pem(p -> p.certificates(Resource.create(certs.caCert))).build())
            .privateKey(mine)
            .privateKeyCertChain(mine)
            .build()
            .sslContext();
    try (var socket =
        (SSLSocket)
            client.getSocketFactory().createSocket("localhost", running.server.httpPort())) {
      socket.startHandshake();
      leaveMidBatch(socket);
    }
    assertTheBatchStopped_andWasLogged499();
  }

  /** Asks for 2,048 texts (20 s at 10 ms each) and returns once the embedding started. */
  private void leaveMidBatch(Socket socket) throws Exception {
    StringBuilder texts = new StringBuilder();
    for (int i = 0; i < 2_048; i++) {
      texts.append(i == 0 ? "" : ",").append("\"text ").append(i).append('"');
    }
    String body = "{\"model\":\"slow\",\"input\":[" + texts + "]}";
    socket
        .getOutputStream()
        .write(
            ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body)
                .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (embedder.embedded.get() == 0 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(embedder.embedded.get()).as("embedding started").isPositive();
  }

  private void assertTheBatchStopped_andWasLogged499() throws Exception {
    Thread.sleep(1_500); // the server looks every 250 ms; the chunk in progress then ends
    int afterLeaving = embedder.embedded.get();
    Thread.sleep(1_000);
    assertThat(embedder.embedded.get())
        .as("texts embedded after the client left")
        .isEqualTo(afterLeaving);
    assertThat(afterLeaving).isLessThan(2_048);
    assertThat(running.telemetry.metrics().scrape())
        .contains(
            "inferd_requests_total{code=\"499\",method=\"POST /v1/embeddings\",model=\"slow\","
                + "protocol=\"rest\"} 1.0");
  }
}
