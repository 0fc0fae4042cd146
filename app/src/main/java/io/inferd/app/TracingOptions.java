package io.inferd.app;

import io.inferd.server.telemetry.TracingSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where spans go: {@code --otlp-endpoint}, or the standard OpenTelemetry environment variables
 * (OTLP over HTTP only).
 */
final class TracingOptions {
  @Option(
      names = "--otlp-endpoint",
      defaultValue = "${env:OTEL_EXPORTER_OTLP_ENDPOINT}",
      paramLabel = "URL",
      description =
          "Export a span per call (with queue, prefill and decode spans) over OTLP/HTTP to this"
              + " collector, e.g. http://127.0.0.1:4318 (spans POSTed to its /v1/traces; env"
              + " OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as the full"
              + " URL; OTEL_EXPORTER_OTLP_HEADERS and OTEL_SERVICE_NAME are honoured). Default: no"
              + " export; W3C traceparent is still read and the trace id logged.")
  String endpoint;

  TracingSettings settings() {
    return settings(endpoint, System.getenv());
  }

  /** The settings {@code --otlp-endpoint} (null when not given) and {@code env} make. */
  static TracingSettings settings(String endpoint, Map<String, String> env) {
    String protocol = env.getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    String serviceName =
        blank(env.get("OTEL_SERVICE_NAME"))
            ? TracingSettings.DEFAULT_SERVICE_NAME
            : env.get("OTEL_SERVICE_NAME").strip();
    String tracesUrl = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    URI traces;
    if (!blank(endpoint)) {
      traces = signalUrl(endpoint.strip());
    } else if (!blank(tracesUrl)) {
      traces = url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesUrl.strip());
    } else {
      return TracingSettings.off();
    }
    if (!protocol.strip().equals("http/protobuf")) {
      throw new IllegalArgumentException(
          "OTEL_EXPORTER_OTLP_PROTOCOL: "
              + protocol
              + " (expected: http/protobuf; inferd exports OTLP over HTTP, a collector's port 4318)");
    }
    return TracingSettings.otlp(
        traces, headers(env.get("OTEL_EXPORTER_OTLP_HEADERS")), serviceName);
  }

  /** A base URL as OTEL_EXPORTER_OTLP_ENDPOINT means it: traces go to its path + /v1/traces. */
  private static URI signalUrl(String base) {
    URI uri = url("--otlp-endpoint", base);
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.endsWith("/v1/traces")) {
      return uri;
    }
    return uri.resolve((path.endsWith("/") ? path : path + "/") + "v1/traces");
  }

  private static URI url(String option, String value) {
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new URISyntaxException(value, "not an absolute http or https URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          option + ": " + value + " (expected: a URL such as http://127.0.0.1:4318)");
    }
  }

  /** {@code key1=value1,key2=value2}, values URL-encoded as the OpenTelemetry spec says. */
  private static Map<String, String> headers(String spec) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (blank(spec)) {
      return headers;
    }
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "OTEL_EXPORTER_OTLP_HEADERS: an entry without '=' (expected: key=value,key2=value2)");
      }
      headers.put(
          pair.substring(0, eq).strip(),
          URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
