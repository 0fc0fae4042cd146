package io.inferd.server.telemetry;

import static java.util.Objects.requireNonNull;

/** Where both transports report calls: started, then finished once with their final code. */
public final class Telemetry {
  private final AccessLog accessLog;
  private final InferdMetrics metrics;

  public Telemetry(AccessLog accessLog, InferdMetrics metrics) {
    this.accessLog = requireNonNull(accessLog, "accessLog");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  public CallStats start(String protocol, String method, String peer) {
    metrics.callStarted();
    return new CallStats(protocol, method, peer, System.nanoTime());
  }

  /** Reports a finished call; {@code code} is the gRPC code name or the HTTP status. */
  public void finish(CallStats call, String code) {
    long end = System.nanoTime();
    metrics.record(call, code, end);
    accessLog.record(call, code, end);
  }

  public InferdMetrics metrics() {
    return metrics;
  }
}
