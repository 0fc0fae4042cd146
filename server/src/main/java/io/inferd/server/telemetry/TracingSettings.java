package io.inferd.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.Map;

/**
 * Where spans go: nowhere ({@link #off()}: trace ids are still read from {@code traceparent} or
 * made up, for the access log), to an OTLP/HTTP collector, or to an exporter of the caller's.
 *
 * @param otlpEndpoint the full traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}; null: none
 * @param headers sent with every export (a collector's API key, say); never logged
 * @param serviceName the {@code service.name} resource attribute
 * @param exporter spans go here instead (tests, embedders); it stays the caller's to shut down
 */
public record TracingSettings(
    URI otlpEndpoint, Map<String, String> headers, String serviceName, SpanExporter exporter) {
  public static final String DEFAULT_SERVICE_NAME = "inferd";

  public TracingSettings {
    headers = Map.copyOf(headers);
    requireNonNull(serviceName, "serviceName");
    if (otlpEndpoint != null && exporter != null) {
      throw new IllegalArgumentException("an OTLP endpoint or an exporter, not both");
    }
  }

  /** No export. */
  public static TracingSettings off() {
    return new TracingSettings(null, Map.of(), DEFAULT_SERVICE_NAME, null);
  }

  /** OTLP over HTTP (protobuf) to {@code tracesEndpoint}, the full URL ending in /v1/traces. */
  public static TracingSettings otlp(
      URI tracesEndpoint, Map<String, String> headers, String serviceName) {
    return new TracingSettings(
        requireNonNull(tracesEndpoint, "tracesEndpoint"), headers, serviceName, null);
  }

  /** Every span, as it ends, to {@code exporter}. */
  public static TracingSettings to(SpanExporter exporter) {
    return new TracingSettings(
        null, Map.of(), DEFAULT_SERVICE_NAME, requireNonNull(exporter, "exporter"));
  }

  /** Whether spans leave the process. */
  public boolean exports() {
    return otlpEndpoint != null || exporter != null;
  }

  /** For the log: where spans go, without the headers. */
  public String describe() {
    if (otlpEndpoint != null) {
      return "OTLP/HTTP " + otlpEndpoint;
    }
    return exporter != null ? exporter.toString() : "off";
  }
}
