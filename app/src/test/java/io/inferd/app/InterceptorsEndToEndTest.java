package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc.InferenceServiceBlockingStub;
import io.inferd.api.v1.Message;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.grpc.InferenceGrpcService;
import io.inferd.server.telemetry.MetricsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** API-key auth, access log, metrics and fast mode, wired as `inferd serve` wires them. */
class InterceptorsEndToEndTest {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private RunningServer running;
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("inferd.access");

  @BeforeEach
  void start() throws Exception {
    running =
        RunningServer.start(
            ObservedGenerator.open(TestModels.tiny()),
            2,
            4,
            ApiKeyStore.of(null, "alice=sk-alice-123"));
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

  private InferenceServiceBlockingStub withHeader(Metadata.Key<String> key, String value) {
    Metadata headers = new Metadata();
    headers.put(key, value);
    return running.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private List<String> accessLines() {
    return accessLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void noKey_isUnauthenticated_sayingWhereToSendOne() {
    assertThatThrownBy(() -> running.blocking().complete(ask(1)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains("x-api-key");
            });
  }

  @Test
  void wrongKey_isUnauthenticated_withoutEchoingIt() {
    assertThatThrownBy(() -> withHeader(API_KEY, "sk-mallory").complete(ask(1)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .contains("invalid API key")
                  .doesNotContain("sk-mallory");
            });
  }

  @Test
  void goodKey_inEitherHeader_isLetIn_andTheAccessLogNamesItsIdNotTheKey() {
    assertThat(
            withHeader(API_KEY, "sk-alice-123").complete(ask(3)).getUsage().getCompletionTokens())
        .isEqualTo(3);
    assertThat(withHeader(AUTHORIZATION, "Bearer sk-alice-123").complete(ask(2)).getChoicesCount())
        .isEqualTo(1);

    assertThat(accessLines()).hasSize(2);
    String line = accessLines().get(0);
    assertThat(line)
        .contains(
            "proto=grpc",
            "method=Complete",
            "status=OK",
            "tokens_out=3",
            "key=alice",
            "peer=/127.0.0.1:")
        .containsPattern("tokens_in=[1-9]")
        .containsPattern("ttft_ms=[0-9.]+")
        .doesNotContain("sk-alice-123")
        .doesNotContain("the cat");
  }

  @Test
  void withoutAnExporter_theCallersTraceIdStillReachesTheAccessLog_andOthersGetOneMadeUp() {
    Metadata headers = new Metadata();
    headers.put(API_KEY, "sk-alice-123");
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    running
        .blocking()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .complete(ask(1));
    withHeader(API_KEY, "sk-alice-123").complete(ask(1));

    assertThat(accessLines()).hasSize(2);
    assertThat(accessLines().get(0)).contains("trace=4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(accessLines().get(1))
        .containsPattern("trace=[0-9a-f]{32}")
        .doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void rejectedCalls_areLoggedWithTheirCode() {
    assertThatThrownBy(() -> running.blocking().complete(ask(1)))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(accessLines())
        .singleElement()
        .asString()
        .contains("status=UNAUTHENTICATED", "key=-");
  }

  @Test
  void healthAndReflection_stayOpenWithoutAKey() {
    var health = HealthGrpc.newBlockingStub(running.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void shortDeadline_takesFastMode_andSaysSoInTheResponseHeaders() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var capture = MetadataUtils.newCaptureMetadataInterceptor(headers, trailers);

    CompleteResponse fast =
        withHeader(API_KEY, "sk-alice-123")
            .withInterceptors(capture)
            .withDeadlineAfter(3, TimeUnit.SECONDS)
            .complete(ask(120));
    assertThat(headers.get().get(InferenceGrpcService.FAST_MODE_HEADER)).isEqualTo("max_tokens=32");
    assertThat(fast.getUsage().getCompletionTokens()).isLessThanOrEqualTo(32);

    CompleteResponse full =
        withHeader(API_KEY, "sk-alice-123")
            .withInterceptors(capture)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .complete(ask(40));
    assertThat(headers.get().get(InferenceGrpcService.FAST_MODE_HEADER)).isNull();
    assertThat(full.getUsage().getCompletionTokens()).isGreaterThan(32);
    assertThat(accessLines().get(0)).contains("note=fast-mode:max_tokens=32");
  }

  @Test
  void metricsEndpoint_showsRequestsLatencyFirstTokenSpeedQueueAndActiveCalls() throws Exception {
    var client = withHeader(API_KEY, "sk-alice-123");
    client.complete(ask(5));
    client.streamComplete(ask(5)).forEachRemaining(c -> {});
    assertThatThrownBy(() -> client.complete(ask(-1))).isInstanceOf(StatusRuntimeException.class);

    String body = scrape();
    assertThat(body)
        .containsPattern(
            "inferd_requests_total\\{code=\"OK\",method=\"Complete\",model=\"tiny\",protocol=\"grpc\"\\} 1")
        .containsPattern(
            "inferd_requests_total\\{code=\"OK\",method=\"StreamComplete\",model=\"tiny\",protocol=\"grpc\"\\} 1")
        .containsPattern( // refused before a model was chosen: no model
            "inferd_requests_total\\{code=\"INVALID_ARGUMENT\",method=\"Complete\",model=\"\",protocol=\"grpc\"\\} 1")
        .contains("inferd_request_duration_seconds_bucket{")
        .contains("inferd_time_to_first_token_seconds_bucket{")
        .contains("inferd_tokens_per_second_bucket{")
        .containsPattern(
            "inferd_completion_tokens_total\\{method=\"Complete\",model=\"tiny\",protocol=\"grpc\"\\} 5")
        .contains("inferd_queue_depth 0")
        .contains("inferd_slots_busy 0")
        .contains("inferd_active_calls 0");
  }

  @Test
  void latencyHistograms_haveBucketsChosenForInference_notHundreds() throws Exception {
    withHeader(API_KEY, "sk-alice-123").complete(ask(2));

    String body = scrape();
    String series = "method=\"Complete\",model=\"tiny\",protocol=\"grpc\"";
    for (String histogram :
        List.of("inferd_request_duration_seconds", "inferd_time_to_first_token_seconds")) {
      List<String> buckets =
          body.lines()
              .filter(l -> l.startsWith(histogram + "_bucket{") && l.contains(series))
              .toList();
      assertThat(buckets).as(histogram).hasSize(16); // 5 ms ... 120 s, and +Inf
      assertThat(buckets.getFirst()).contains("le=\"0.005\"");
      assertThat(buckets.get(14)).contains("le=\"120.0\"");
      assertThat(buckets.getLast()).contains("le=\"+Inf\"").endsWith(" 1");
    }
  }

  @Test
  void metricsEndpoint_showsTheJvmAndTheProcess() throws Exception {
    assertThat(scrape())
        .contains(
            "jvm_memory_used_bytes{",
            "jvm_gc_",
            "jvm_threads_live_threads",
            "jvm_classes_loaded_classes",
            "process_cpu_usage",
            "process_uptime_seconds",
            "process_files_open_files",
            "system_cpu_count");
  }

  private String scrape() throws Exception {
    try (MetricsEndpoint endpoint =
            MetricsEndpoint.start("127.0.0.1", 0, running.telemetry.metrics());
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }
}
