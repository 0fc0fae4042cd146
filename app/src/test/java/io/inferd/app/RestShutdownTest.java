package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.ask;
import static io.inferd.app.RestGatewayEndToEndTest.assertError;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.engine.FinishReason;
import io.inferd.server.auth.ApiKeyStore;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestShutdownTest {
  private ObservedGenerator generator;
  private RunningGateway running;

  @AfterEach
  void stop() {
    generator.allow(10_000);
    running.close();
  }

  private void startGated() throws Exception {
    generator = ObservedGenerator.gated(TestModels.tiny());
    running = RunningGateway.start(generator, 2, 2, ApiKeyStore.disabled());
  }

  private void awaitHealth(int status) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (running.get("/health").statusCode() == status) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("/health never answered " + status);
  }

  @Test
  void afterTheCoreShutsDown_chatAndEmbeddingsAreServiceUnavailable() throws Exception {
    generator = ObservedGenerator.open(TestModels.tiny());
    running = RunningGateway.start(generator, 2, 2, ApiKeyStore.disabled());
    running.core.close();

    var chat =
        assertError(
            running.post("/v1/chat/completions", ask("the cat", "\"max_tokens\":2")),
            503,
            "server_error",
            "shutting down");
    assertThat(chat.get("code").asText()).isEqualTo("shutting_down");
    assertError(
        running.post("/v1/chat/completions", ask("the cat", "\"max_tokens\":2,\"stream\":true")),
        503,
        "server_error",
        "shutting down");
    assertError(
        running.post("/v1/embeddings", "{\"input\":\"x\"}"), 503, "server_error", "shutting down");
  }

  @Test
  void stoppingTheGateway_turnsHealth503_refusesNewCalls_andLetsARunningStreamFinish()
      throws Exception {
    startGated();
    generator.allow(1);
    HttpResponse<InputStream> stream =
        running.postStreaming(
            "/v1/chat/completions", ask("the cat", "\"max_tokens\":6,\"stream\":true"));
    List<String> first = readEvents(stream.body(), 1);

    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(() -> running.gateway.stop(Duration.ofSeconds(10)));
    awaitHealth(503);
    assertThat(JSON.readTree(running.get("/health").body()).get("status").asText())
        .isEqualTo("NOT_SERVING");
    assertError(
        running.post("/v1/chat/completions", ask("the cat", "\"max_tokens\":2")),
        503,
        "server_error",
        "shutting down");
    assertThat(stopping).isNotDone();

    generator.allow(100);
    List<String> rest = readEvents(stream.body(), Integer.MAX_VALUE);
    assertThat(first.size() + rest.size()).isEqualTo(6 + 1 + 1);
    assertThat(rest).last().isEqualTo("[DONE]");
    stopping.get(5, TimeUnit.SECONDS);
    assertThatThrownBy(() -> running.get("/health"))
        .isInstanceOf(UncheckedIOException.class); // no longer listening
    assertThat(generator.nextFinished().finishReason()).isNotEqualTo(FinishReason.CANCELLED);
  }

  @Test
  void stoppingTheGateway_afterItsGrace_endsARunningStreamWithAnErrorEvent_andStopsItsEngine()
      throws Exception {
    startGated();
    generator.allow(1);
    HttpResponse<InputStream> stream =
        running.postStreaming(
            "/v1/chat/completions", ask("the cat", "\"max_tokens\":100,\"stream\":true"));
    readEvents(stream.body(), 1);

    // The client keeps reading while the gateway stops, as a real one does: the error event must
    // not depend on being read before the server closes its sockets.
    CompletableFuture<List<String>> reading =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return readEvents(stream.body(), Integer.MAX_VALUE);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    running.gateway.stop(Duration.ofMillis(200));

    List<String> rest = reading.get(10, TimeUnit.SECONDS);
    assertThat(rest).hasSize(1);
    assertThat(JSON.readTree(rest.get(0)).at("/error/code").asText()).isEqualTo("shutting_down");
    generator.allow(2);
    assertThat(generator.nextFinished().finishReason()).isEqualTo(FinishReason.CANCELLED);
  }
}
