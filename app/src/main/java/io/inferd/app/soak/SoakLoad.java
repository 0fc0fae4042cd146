package io.inferd.app.soak;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Mixed traffic for a soak: all four RPCs and the REST endpoints, with random cancels and short
 * deadlines. Counts outcomes; a status a client should never see (UNKNOWN, INTERNAL, HTTP 500) is a
 * failure.
 */
final class SoakLoad {
  private final ManagedChannel channel;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI rest;
  final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

  SoakLoad(int grpcPort, int httpPort) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    this.rest = URI.create("http://127.0.0.1:" + httpPort + "/v1/");
  }

  /** Runs {@code workers} loops until {@code duration} has passed. */
  void run(int workers, Duration duration, long seed) throws InterruptedException {
    long until = System.nanoTime() + duration.toNanos();
    var done = new CountDownLatch(workers);
    for (int w = 0; w < workers; w++) {
      Random random = new Random(seed + w);
      Thread.ofPlatform()
          .name("soak-" + w)
          .start(
              () -> {
                try {
                  while (System.nanoTime() < until) {
                    oneCall(random);
                  }
                } finally {
                  done.countDown();
                }
              });
    }
    done.await();
  }

  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.close();
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  private void countStatus(String what, Throwable error) {
    Status.Code code = Status.fromThrowable(error).getCode();
    count(what + " " + code);
    if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL) {
      count("UNEXPECTED");
    }
  }

  private static CompleteRequest request(Random random) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("Once upon a time"))
        .setMaxTokens(1 + random.nextInt(48))
        .setTemperature(random.nextFloat())
        .build();
  }

  private void oneCall(Random random) {
    var stub = InferenceServiceGrpc.newBlockingStub(channel);
    try {
      switch (random.nextInt(7)) {
        case 0 -> {
          // Half the Completes have room to succeed (queueing behind streams takes seconds under
          // this load); the other half expire, to exercise deadlines mid-queue and mid-generation.
          boolean tight = random.nextBoolean();
          long deadlineMillis = tight ? 5 + random.nextInt(400) : 15_000 + random.nextInt(15_000);
          stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).complete(request(random));
          count(tight ? "grpc Complete (tight deadline) OK" : "grpc Complete OK");
        }
        case 1 -> {
          Context.CancellableContext ctx = Context.current().withCancellation();
          Iterator<StreamChunk> chunks =
              ctx.call(
                  () ->
                      stub.withDeadlineAfter(10, TimeUnit.SECONDS).streamComplete(request(random)));
          int stopAfter = random.nextInt(30);
          int seen = 0;
          while (chunks.hasNext()) {
            chunks.next();
            if (++seen == stopAfter) {
              ctx.cancel(null);
              count("grpc StreamComplete client-cancel");
              return;
            }
          }
          count("grpc StreamComplete OK");
        }
        case 2 -> batchEmbed(random);
        case 3 -> chat(random);
        case 4 -> restChat(random, false);
        case 5 -> restChat(random, true);
        default -> restEmbeddings(random);
      }
    } catch (io.grpc.StatusRuntimeException e) {
      countStatus("grpc", e);
    } catch (Exception e) {
      count("client " + e.getClass().getSimpleName());
    }
  }

  private void batchEmbed(Random random) throws InterruptedException {
    var done = new CountDownLatch(1);
    StreamObserver<EmbedRequest> in =
        InferenceServiceGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .batchEmbed(observer("grpc BatchEmbed", done));
    int texts = 1 + random.nextInt(16);
    for (int i = 0; i < texts; i++) {
      in.onNext(EmbedRequest.newBuilder().setText("soak text number " + i).build());
    }
    if (random.nextInt(5) == 0) {
      in.onError(new IllegalStateException("soak client gives up"));
      count("grpc BatchEmbed client-cancel");
      return;
    }
    in.onCompleted();
    done.await(15, TimeUnit.SECONDS);
  }

  private void chat(Random random) throws Exception {
    var done = new CountDownLatch(1);
    Context.CancellableContext ctx = Context.current().withCancellation();
    StreamObserver<ChatMessage> in =
        ctx.call(
            () ->
                InferenceServiceGrpc.newStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .chat(observer("grpc Chat", done)));
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("Tell me a story").build());
    if (random.nextBoolean()) {
      in.onNext(ChatMessage.newBuilder().setRole("user").setContent("And then?").build());
    }
    if (random.nextInt(4) == 0) {
      Thread.sleep(random.nextInt(20));
      ctx.cancel(null); // never half-closed
      count("grpc Chat client-cancel");
      return;
    }
    in.onCompleted();
    done.await(15, TimeUnit.SECONDS);
  }

  private <T> StreamObserver<T> observer(String what, CountDownLatch done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        countStatus(what, t);
        done.countDown();
      }

      @Override
      public void onCompleted() {
        count(what + " OK");
        done.countDown();
      }
    };
  }

  private void restChat(Random random, boolean stream) throws Exception {
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":"
            + (1 + random.nextInt(48))
            + ",\"stream\":"
            + stream
            + "}";
    HttpRequest request =
        HttpRequest.newBuilder(rest.resolve("chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (stream && random.nextInt(3) == 0) {
        in.readNBytes(1 + random.nextInt(400)); // then hang up mid-stream
        count("rest chat(stream) client-disconnect");
        return;
      }
      in.readAllBytes();
    }
    restStatus("rest chat" + (stream ? "(stream)" : ""), response.statusCode());
  }

  private void restEmbeddings(Random random) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(rest.resolve("embeddings"))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"input\":[\"soak\",\"text " + random.nextInt() + "\"]}"))
            .build();
    restStatus(
        "rest embeddings", http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
  }

  private void restStatus(String what, int status) {
    count(what + " " + status);
    if (status >= 500 && status != 503) {
      count("UNEXPECTED");
    }
  }
}
