package io.inferd.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing: a SERVER span per call that continues the caller's W3C {@code
 * traceparent}, with queue, prefill and decode children per generation. Spans are exported as
 * {@link TracingSettings} says; without an export no span is made, and a call gets only a trace id
 * (the caller's, or a new one) for the access log.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  static final String INSTRUMENTATION = "io.inferd.server";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final SdkTracerProvider provider; // null without an export
  private final Tracer tracer; // null without an export
  private final String description;

  private Tracing(SdkTracerProvider provider, TracingSettings settings) {
    this.provider = provider;
    this.tracer = provider == null ? null : provider.get(INSTRUMENTATION);
    this.description = settings.describe();
    if (tracer != null) {
      warmUp();
    }
  }

  /**
   * Loads the classes a call's span needs now rather than on the first call, whose deadline may be
   * short: a span under a parent that is not sampled, which nothing records or exports.
   */
  private void warmUp() {
    Context unsampled =
        remoteParent(
            Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"), MAP);
    tracer.spanBuilder("warm-up").setParent(unsampled).startSpan().end();
  }

  private static final TextMapGetter<Map<String, String>> MAP =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  /** Trace ids for the access log, no spans recorded or exported. */
  public static Tracing off() {
    return start(TracingSettings.off());
  }

  public static Tracing start(TracingSettings settings) {
    requireNonNull(settings, "settings");
    if (!settings.exports()) {
      return new Tracing(null, settings);
    }
    SdkTracerProviderBuilder builder =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(Resource.create(Attributes.of(SERVICE_NAME, settings.serviceName()))));
    builder.setSampler(Sampler.parentBased(Sampler.alwaysOn())); // a caller's "not sampled" holds
    if (settings.exporter() != null) {
      builder.addSpanProcessor(SimpleSpanProcessor.create(new Borrowed(settings.exporter())));
    } else {
      var exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(settings.otlpEndpoint().toString())
              .setTimeout(Duration.ofSeconds(10));
      settings.headers().forEach(exporter::addHeader);
      builder.addSpanProcessor(BatchSpanProcessor.builder(exporter.build()).build());
    }
    log.info("tracing: spans to {}", settings.describe());
    return new Tracing(builder.build(), settings);
  }

  /**
   * The context a call continues: the caller's span from its {@code traceparent} (and {@code
   * tracestate}) header, or none. A malformed header counts as none.
   */
  public static <C> Context remoteParent(C carrier, TextMapGetter<C> getter) {
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, getter);
  }

  /**
   * Starts a call's span, a child of {@code parent} (a new trace when it holds no span); without an
   * export, only the call's trace id.
   */
  CallTrace startCall(
      String protocol, String method, String spanName, Context parent, long startNanos) {
    if (tracer == null) {
      return CallTrace.idOnly(parent);
    }
    Instant now = Instant.now();
    long epochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    var span =
        tracer
            .spanBuilder(spanName)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(epochNanos, TimeUnit.NANOSECONDS);
    describe(span, protocol, method, spanName);
    return CallTrace.spanned(tracer, span.startSpan(), epochNanos, startNanos);
  }

  private static void describe(SpanBuilder span, String protocol, String method, String spanName) {
    if ("grpc".equals(protocol)) {
      int slash = spanName.lastIndexOf('/');
      span.setAttribute(CallTrace.RPC_SYSTEM, "grpc")
          .setAttribute(CallTrace.RPC_SERVICE, slash < 0 ? spanName : spanName.substring(0, slash))
          .setAttribute(CallTrace.RPC_METHOD, method);
    } else {
      int space = method.indexOf(' ');
      if (space > 0) {
        span.setAttribute(CallTrace.HTTP_METHOD, method.substring(0, space))
            .setAttribute(CallTrace.HTTP_ROUTE, method.substring(space + 1));
      }
    }
  }

  /** Exports the spans still buffered (a few seconds at most) and stops. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return description;
  }

  /** An exporter handed in: spans go to it, but shutting down the SDK leaves it open. */
  private record Borrowed(SpanExporter exporter) implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return exporter.export(spans);
    }

    @Override
    public CompletableResultCode flush() {
      return exporter.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return exporter.flush();
    }
  }
}
