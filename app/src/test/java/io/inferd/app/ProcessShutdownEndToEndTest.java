package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.ask;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.ModelRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * `inferd serve` as its own process: SIGTERM drains, ends what is still open after the grace with
 * UNAVAILABLE (gRPC) or a shutting_down error event (REST), and exits 0 within the grace.
 *
 * <p>Its model is a grpc:// upstream: a server in this JVM whose tiny model decodes a token only
 * when the test allows it, so the process's streams stay open for as long as the test wants.
 */
class ProcessShutdownEndToEndTest {
  private static final Pattern READY =
      Pattern.compile("inferd ready: grpc=127\\.0\\.0\\.1:(\\d+) http=127\\.0\\.0\\.1:(\\d+)");
  private static final int GRACE_SECONDS = 3;

  private ObservedGenerator upstreamModel; // for gRPC: the chat, then the stream
  private ObservedGenerator upstreamRestModel;
  private RunningServer upstream;
  private Process process;
  private ManagedChannel channel;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    http.close();
    if (upstreamModel != null) {
      upstreamModel.allow(10_000);
      upstreamRestModel.allow(10_000);
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void sigterm_endsStreamsOpenAfterTheGraceWithUnavailable_andExitsZeroWithinTheGrace()
      throws Exception {
    // One gate per model, so that a token allowed for one stream cannot go to the other.
    upstreamModel = ObservedGenerator.gated(TestModels.tiny());
    upstreamRestModel = ObservedGenerator.gated(TestModels.tiny());
    upstream =
        RunningServer.start(
            RunningServer.testConfig().parallel(2).queue(2).build(),
            ModelRegistry.builder()
                .generator("tiny", upstreamModel)
                .generator("tiny-rest", upstreamRestModel)
                .build());
    String at = "=grpc://127.0.0.1:" + upstream.server.grpcPort() + "#";
    List<String> command = ServeProcesses.javaMain();
    command.addAll(
        List.of(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--http-port",
            "0",
            "--metrics-port",
            "-1",
            "--no-embeddings",
            "--parallel",
            "2",
            "--shutdown-grace",
            String.valueOf(GRACE_SECONDS),
            "--model",
            "up" + at + "tiny," + "rest" + at + "tiny-rest"));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Matcher ready = ServeProcesses.awaitLine(process, READY);
    int grpcPort = Integer.parseInt(ready.group(1));
    int httpPort = Integer.parseInt(ready.group(2));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    var stub = InferenceServiceGrpc.newStub(channel);

    // A Chat whose first reply came back: open, idle, waiting for the next user turn.
    var chatEnded = new CompletableFuture<Status>();
    var chatReplies = new LinkedBlockingQueue<ChatMessage>();
    StreamObserver<ChatMessage> chat = stub.chat(observer(chatReplies, chatEnded));
    upstreamModel.allow(1);
    chat.onNext(
        ChatMessage.newBuilder().setRole("user").setContent("the cat").setMaxTokens(1).build());
    assertThat(chatReplies.poll(20, TimeUnit.SECONDS))
        .as(() -> "the chat's first reply (chat ended: " + chatEnded.getNow(null) + ")")
        .isNotNull();

    // A StreamComplete mid-generation: one token out, the upstream holds the next.
    var streamEnded = new CompletableFuture<Status>();
    var chunks = new LinkedBlockingQueue<StreamChunk>();
    upstreamModel.allow(1);
    stub.streamComplete(
        CompleteRequest.newBuilder()
            .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
            .setMaxTokens(100)
            .build(),
        observer(chunks, streamEnded));
    assertThat(chunks.poll(20, TimeUnit.SECONDS)).as("the stream's first chunk").isNotNull();

    // A REST SSE stream mid-generation, read by a client that keeps reading.
    upstreamRestModel.allow(1);
    HttpResponse<InputStream> sse =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        ask("the cat", "\"max_tokens\":100,\"stream\":true")
                            .replace("\"tiny\"", "\"rest\""),
                        UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(sse.statusCode()).isEqualTo(200);
    assertThat(readEvents(sse.body(), 1)).as("the SSE stream's first event").hasSize(1);
    CompletableFuture<List<String>> sseRest =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return readEvents(sse.body(), Integer.MAX_VALUE);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });

    long sigterm = System.nanoTime();
    process.destroy(); // SIGTERM

    assertThat(process.waitFor(GRACE_SECONDS + 20, TimeUnit.SECONDS)).as("exited").isTrue();
    Duration exitTook = Duration.ofNanos(System.nanoTime() - sigterm);
    assertThat(process.exitValue()).isZero();
    // The grace plus a margin for a loaded machine; before, the process took the grace, then 5 s
    // for the transport and 5 s for the engine threads on top.
    assertThat(exitTook).isLessThan(Duration.ofMillis(GRACE_SECONDS * 1000L + 1500));
    assertThat(streamEnded.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(chatEnded.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    List<String> events = sseRest.get(10, TimeUnit.SECONDS);
    assertThat(events).isNotEmpty();
    assertThat(JSON.readTree(events.get(events.size() - 1)).at("/error/code").asText())
        .isEqualTo("shutting_down");
  }

  private static <T> StreamObserver<T> observer(
      LinkedBlockingQueue<T> received, CompletableFuture<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        received.add(value);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    };
  }
}
