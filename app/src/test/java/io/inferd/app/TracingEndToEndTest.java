package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import io.inferd.server.telemetry.TracingSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * W3C traceparent on both protocols: the access log carries the caller's trace id, and the call's
 * span (a child of the caller's) has queue, prefill and decode spans under it.
 */
class TracingEndToEndTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
  private static final Metadata.Key<String> TRACEPARENT_KEY =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("inferd.access");
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    running =
        RunningServer.start(
            RunningServer.testConfig()
                .parallel(1)
                .queue(2)
                .tracing(TracingSettings.to(spans))
                .build(),
            RunningServer.withEmbedder(TestModels.tiny()));
    accessLog.start();
    accessLogger.addAppender(accessLog);
  }

  @AfterEach
  void stop() throws Exception {
    accessLogger.detachAppender(accessLog);
    running.close();
  }

  private static CompleteRequest ask(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(maxTokens)
        .build();
  }

  private String completeOverGrpc(String traceparent) {
    Metadata headers = new Metadata();
    if (traceparent != null) {
      headers.put(TRACEPARENT_KEY, traceparent);
    }
    running
        .blocking()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .complete(ask(3));
    return onlyAccessLine();
  }

  private String onlyAccessLine() {
    assertThat(accessLog.list).hasSize(1);
    return accessLog.list.get(0).getFormattedMessage();
  }

  /** The span named {@code name}, waiting for it: phases may end after the reply went out. */
  private SpanData span(Predicate<SpanData> which, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (SpanData span : spans.getFinishedSpanItems()) {
        if (which.test(span)) {
          return span;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + what + " span among " + spans.getFinishedSpanItems());
  }

  private SpanData named(String name) throws InterruptedException {
    return span(s -> s.getName().equals(name), name);
  }

  private void assertPhasesUnder(SpanData call) throws InterruptedException {
    for (String phase : List.of("queue", "prefill", "decode")) {
      SpanData child =
          span(
              s -> s.getName().equals(phase) && s.getParentSpanId().equals(call.getSpanId()),
              phase);
      assertThat(child.getTraceId()).isEqualTo(call.getTraceId());
      assertThat(child.getKind()).isEqualTo(SpanKind.INTERNAL);
      assertThat(child.getStartEpochNanos()).isGreaterThanOrEqualTo(call.getStartEpochNanos());
      assertThat(child.getEndEpochNanos()).isLessThanOrEqualTo(call.getEndEpochNanos());
    }
    SpanData prefill = named("prefill");
    SpanData decode = named("decode");
    assertThat(decode.getStartEpochNanos()).isEqualTo(prefill.getEndEpochNanos());
    assertThat(prefill.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
        .isPositive();
    assertThat(decode.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
        .isEqualTo(3);
  }

  @Test
  void grpcCall_withTraceparent_logsItsTraceId_andSpansTheCallAndItsPhasesUnderTheCaller()
      throws Exception {
    String line = completeOverGrpc(TRACEPARENT);

    assertThat(line).contains("trace=" + TRACE_ID, "model=tiny", "method=Complete");
    SpanData call = named("ai.inference.v1.InferenceService/Complete");
    assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(call.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(call.getParentSpanContext().isRemote()).isTrue();
    assertThat(call.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(call.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("grpc");
    assertThat(call.getAttributes().get(AttributeKey.stringKey("rpc.method")))
        .isEqualTo("Complete");
    assertThat(call.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isEqualTo(0);
    assertThat(call.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")))
        .isEqualTo("tiny");
    assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
        .isEqualTo(3);
    assertPhasesUnder(call);
  }

  @Test
  void restCall_withTraceparent_logsItsTraceId_andSpansTheCallAndItsPhasesUnderTheCaller()
      throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      var response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + running.server.httpPort() + "/v1/chat/completions"))
                  .header("Content-Type", "application/json")
                  .header("traceparent", TRACEPARENT)
                  .timeout(Duration.ofSeconds(20))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"messages\":[{\"role\":\"user\",\"content\":\"the cat\"}],"
                              + "\"max_tokens\":3}"))
                  .build(),
              BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    assertThat(onlyAccessLine()).contains("proto=rest", "status=200", "trace=" + TRACE_ID);
    SpanData call = named("POST /v1/chat/completions");
    assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(call.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(call.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(call.getAttributes().get(AttributeKey.stringKey("http.request.method")))
        .isEqualTo("POST");
    assertThat(call.getAttributes().get(AttributeKey.stringKey("http.route")))
        .isEqualTo("/v1/chat/completions");
    assertThat(call.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200);
    assertPhasesUnder(call);
  }

  @Test
  void callWithoutTraceparent_startsATraceOfItsOwn_andLogsThatId() throws Exception {
    String line = completeOverGrpc(null);

    SpanData call = named("ai.inference.v1.InferenceService/Complete");
    assertThat(call.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    assertThat(call.getTraceId()).isNotEqualTo(TRACE_ID).matches("[0-9a-f]{32}");
    assertThat(line).contains("trace=" + call.getTraceId());
  }

  @Test
  void callerThatDoesNotSample_keepsItsTraceIdInTheLog_andNoSpanIsExported() throws Exception {
    String line = completeOverGrpc("00-" + TRACE_ID + "-" + PARENT_ID + "-00");

    assertThat(line).contains("trace=" + TRACE_ID);
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void malformedTraceparent_isIgnored_andTheCallGetsATraceOfItsOwn() throws Exception {
    String line = completeOverGrpc("00-not-a-trace-01");

    assertThat(line).containsPattern("trace=[0-9a-f]{32}").contains("status=OK");
    assertThat(named("ai.inference.v1.InferenceService/Complete").getParentSpanId())
        .isEqualTo(SpanId.getInvalid());
  }
}
