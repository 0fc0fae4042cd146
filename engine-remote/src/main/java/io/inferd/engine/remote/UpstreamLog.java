package io.inferd.engine.remote;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one line each upstream request leaves on {@code inferd.upstream}, alike for every engine. */
final class UpstreamLog {
  private static final Logger log = LoggerFactory.getLogger("inferd.upstream");

  private UpstreamLog() {}

  /**
   * @param status {@code http=200} or {@code status=OK}: the upstream's own answer
   * @param more further {@code key=value} fields, each with a leading space
   */
  static void request(
      String upstream,
      String model,
      String requestId,
      String status,
      String outcome,
      long startNanos,
      String more) {
    if (!log.isInfoEnabled()) {
      return;
    }
    log.info(
        String.format(
            "upstream=%s model=%s request_id=%s %s outcome=%s ms=%.1f%s",
            upstream,
            model.isEmpty() ? "-" : model,
            requestId,
            status,
            outcome.isEmpty() ? "-" : outcome,
            (System.nanoTime() - startNanos) / 1e6,
            more));
  }
}
