package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.server.telemetry.TracingSettings;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --otlp-endpoint} and the OpenTelemetry environment variables, as serve reads them. */
class TracingOptionsTest {
  @Test
  void nothingConfigured_exportsNothing() {
    TracingSettings settings = TracingOptions.settings(null, Map.of());
    assertThat(settings.exports()).isFalse();
  }

  @Test
  void baseUrl_sendsSpansToItsV1Traces_asTheOtelVariableMeansIt() {
    assertThat(TracingOptions.settings("http://collector:4318", Map.of()).otlpEndpoint())
        .isEqualTo(URI.create("http://collector:4318/v1/traces"));
    assertThat(TracingOptions.settings("https://otel.example/base/", Map.of()).otlpEndpoint())
        .isEqualTo(URI.create("https://otel.example/base/v1/traces"));
    assertThat(TracingOptions.settings("http://c:4318/v1/traces", Map.of()).otlpEndpoint())
        .isEqualTo(URI.create("http://c:4318/v1/traces"));
  }

  @Test
  void tracesEndpointVariable_isTheFullUrl_headersAndServiceNameAreRead() {
    TracingSettings settings =
        TracingOptions.settings(
            null,
            Map.of(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%3Db, tenant = t1",
                "OTEL_SERVICE_NAME", "inferd-eu"));
    assertThat(settings.otlpEndpoint()).isEqualTo(URI.create("http://c:4318/custom"));
    assertThat(settings.headers())
        .containsExactlyInAnyOrderEntriesOf(Map.of("api-key", "a=b", "tenant", "t1"));
    assertThat(settings.serviceName()).isEqualTo("inferd-eu");
    assertThat(settings.describe()).doesNotContain("a=b");
  }

  @Test
  void grpcProtocol_isRefused_sayingWhatIsSpoken() {
    assertThatThrownBy(
            () ->
                TracingOptions.settings(
                    "http://c:4317", Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
        .hasMessageContaining("http/protobuf")
        .hasMessageContaining("4318");
  }

  @Test
  void notAUrl_isRefused_namingTheOption() {
    assertThatThrownBy(() -> TracingOptions.settings("collector:4318", Map.of()))
        .hasMessageContaining("--otlp-endpoint")
        .hasMessageContaining("http://127.0.0.1:4318");
  }
}
