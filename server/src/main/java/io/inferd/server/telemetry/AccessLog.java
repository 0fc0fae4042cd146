package io.inferd.server.telemetry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per call on the {@code inferd.access} logger: protocol, method, status, duration,
 * tokens, time to first token, peer and the caller's key id. Never the key, the metadata or the text.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("inferd.access");

  public void record(CallStats call, String status, long endNanos) {
    if (!log.isInfoEnabled()) {
      return;
    }
    log.info(line(call, status, endNanos));
  }

  static String line(CallStats call, String status, long endNanos) {
    long ttft = call.timeToFirstTokenNanos();
    return String.format(
        "proto=%s method=%s status=%s ms=%.1f tokens_in=%d tokens_out=%d ttft_ms=%s peer=%s key=%s%s",
        call.protocol(),
        call.method(),
        status,
        (endNanos - call.startNanos()) / 1e6,
        call.promptTokens(),
        call.completionTokens(),
        ttft < 0 ? "-" : String.format("%.1f", ttft / 1e6),
        call.peer(),
        call.keyId(),
        call.note().isEmpty() ? "" : " note=" + call.note());
  }
}
