package io.inferd.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.context.Context;

/**
 * Where both transports report calls: started (with the trace they continue), then finished once
 * with their final code, into the metrics, the call's span and the access log.
 */
public final class Telemetry implements AutoCloseable {
  private final AccessLog accessLog;
  private final InferdMetrics metrics;
  private final Tracing tracing;

  /** Trace ids but no spans exported. */
  public Telemetry(AccessLog accessLog, InferdMetrics metrics) {
    this(accessLog, metrics, Tracing.off());
  }

  public Telemetry(AccessLog accessLog, InferdMetrics metrics, Tracing tracing) {
    this.accessLog = requireNonNull(accessLog, "accessLog");
    this.metrics = requireNonNull(metrics, "metrics");
    this.tracing = requireNonNull(tracing, "tracing");
  }

  /** A call in a trace of its own. */
  public CallStats start(String protocol, String method, String peer) {
    return start(protocol, method, peer, Context.root(), method);
  }

  /**
   * A call continuing {@code parent}'s trace (see {@link Tracing#remoteParent}); its span is named
   * {@code spanName} (gRPC: {@code package.Service/Method}, REST: {@code POST /v1/route}).
   */
  public CallStats start(
      String protocol, String method, String peer, Context parent, String spanName) {
    metrics.callStarted();
    long start = System.nanoTime();
    return new CallStats(
        protocol,
        method,
        peer,
        start,
        tracing.startCall(protocol, method, spanName, parent, start));
  }

  /** Reports a finished call; {@code code} is the gRPC code name or the HTTP status. */
  public void finish(CallStats call, String code) {
    long end = System.nanoTime();
    metrics.record(call, code, end);
    call.trace().end(call, code, end);
    accessLog.record(call, code, end);
  }

  public InferdMetrics metrics() {
    return metrics;
  }

  public Tracing tracing() {
    return tracing;
  }

  /** Exports the spans still buffered and stops the JVM metrics that hold listeners. */
  @Override
  public void close() {
    tracing.close();
    metrics.close();
  }
}
