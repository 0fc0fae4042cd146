package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.ask;
import static io.inferd.app.RestGatewayEndToEndTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.server.auth.ApiKeyStore;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The REST gateway with API keys on: the same keys and headers as gRPC. */
class RestAuthTest {
  private static final String CHAT = "/v1/chat/completions";

  private RunningGateway running;
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("inferd.access");

  @BeforeEach
  void start() throws Exception {
    running =
        RunningGateway.start(
            ObservedGenerator.open(TestModels.tiny()),
            2,
            4,
            ApiKeyStore.of(null, "alice=sk-alice-123"));
    accessLog.start();
    accessLogger.addAppender(accessLog);
  }

  @AfterEach
  void stop() {
    accessLogger.detachAppender(accessLog);
    running.close();
  }

  @Test
  void noKey_isUnauthorized_sayingWhereToSendOne() throws Exception {
    HttpResponse<String> response = running.post(CHAT, ask("the cat", "\"max_tokens\":1"));
    var error = assertError(response, 401, "authentication_error", "missing API key");
    assertThat(error.get("message").asText()).contains("x-api-key").contains("Bearer");
    assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(response.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertError(running.get("/v1/models"), 401, "authentication_error", "missing API key");
    assertError(
        running.post("/v1/embeddings", "{\"input\":\"x\"}"),
        401,
        "authentication_error",
        "missing API key");
  }

  @Test
  void wrongKey_isUnauthorized_withoutEchoingIt() throws Exception {
    HttpResponse<String> response =
        running.post(CHAT, ask("the cat", "\"max_tokens\":1"), "x-api-key", "sk-mallory");
    assertError(response, 401, "authentication_error", "invalid API key");
    assertThat(response.body()).doesNotContain("sk-mallory");
    assertError(
        running.post(
            CHAT, ask("the cat", "\"max_tokens\":1"), "authorization", "Bearer sk-mallory"),
        401,
        "authentication_error",
        "invalid API key");
  }

  @Test
  void goodKey_inXApiKeyOrAsBearer_isLetIn() throws Exception {
    assertThat(
            running
                .post(CHAT, ask("the cat", "\"max_tokens\":1"), "x-api-key", "sk-alice-123")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            running
                .post(
                    CHAT,
                    ask("the cat", "\"max_tokens\":1"),
                    "authorization",
                    "Bearer sk-alice-123")
                .statusCode())
        .isEqualTo(200);
    assertThat(running.get("/v1/models", "authorization", "Bearer sk-alice-123").statusCode())
        .isEqualTo(200);
  }

  @Test
  void health_needsNoKey() {
    assertThat(running.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void eachCall_isRecordedOnce_withItsHttpStatus_andTheKeyId() throws Exception {
    running.post(CHAT, ask("the cat", "\"max_tokens\":2"), "x-api-key", "sk-alice-123");
    running.post(
        CHAT, ask("the cat", "\"stream\":true,\"max_tokens\":2"), "x-api-key", "sk-alice-123");
    running.post(CHAT, "{\"messages\":5}", "x-api-key", "sk-alice-123");
    running.post(CHAT, ask("the cat", "\"max_tokens\":2"));

    List<String> lines = awaitAccessLines(4);
    assertThat(lines.get(0))
        .contains(
            "proto=rest",
            "method=POST /v1/chat/completions",
            "status=200",
            "tokens_out=2",
            "key=alice")
        .doesNotContain("sk-alice");
    assertThat(lines.get(1))
        .contains("status=200", "tokens_out=2", "key=alice")
        .doesNotContain("ttft_ms=-");
    assertThat(lines.get(2)).contains("status=400", "key=alice");
    assertThat(lines.get(3)).contains("status=401", "key=-");
    assertThat(running.telemetry.metrics().scrape())
        .contains(
            "inferd_requests_total{code=\"200\",method=\"POST"
                + " /v1/chat/completions\",model=\"tiny\",protocol=\"rest\"} 2.0")
        .contains(
            "inferd_requests_total{code=\"401\",method=\"POST"
                + " /v1/chat/completions\",model=\"\",protocol=\"rest\"} 1.0");
  }

  /** The record is written after the answer went out, so it may trail the client a little. */
  private List<String> awaitAccessLines(int count) throws InterruptedException {
    for (int i = 0; i < 500 && accessLog.list.size() < count; i++) {
      Thread.sleep(10);
    }
    Thread.sleep(50); // and no more than that
    List<String> lines = accessLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).hasSize(count);
    return lines;
  }
}
