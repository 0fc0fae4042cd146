package io.inferd.server.telemetry;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per call on the {@code inferd.access} logger: protocol, method, status,
 * duration, model, tokens, time to first token, peer, the caller's key id and the trace id (the
 * caller's {@code traceparent}, or one made up). Never the key, the metadata or the text.
 *
 * <p>Calls that did no work (rejected, cancelled or reset) cost a client nothing to make, so their
 * lines are rate limited ({@value #FAILED_PER_SECOND}/s after a burst of {@value #FAILED_BURST});
 * the next line written says how many were left out. Metrics still count every call.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("inferd.access");
  static final int FAILED_PER_SECOND = 50;
  static final int FAILED_BURST = 200;
  private static final Set<String> COMPLETED = Set.of("OK", "200");

  private final Object lock = new Object();
  private double tokens = FAILED_BURST;
  private long refilledNanos = System.nanoTime();
  private final AtomicLong suppressed = new AtomicLong();

  public void record(CallStats call, String status, long endNanos) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (!COMPLETED.contains(status) && !take(endNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    log.info(line(call, status, endNanos) + (left == 0 ? "" : " suppressed_before=" + left));
  }

  private boolean take(long nowNanos) {
    synchronized (lock) {
      double elapsed = Math.max(0, nowNanos - refilledNanos) / 1e9;
      refilledNanos = Math.max(refilledNanos, nowNanos);
      tokens = Math.min(FAILED_BURST, tokens + elapsed * FAILED_PER_SECOND);
      if (tokens < 1) {
        return false;
      }
      tokens--;
      return true;
    }
  }

  static String line(CallStats call, String status, long endNanos) {
    long ttft = call.timeToFirstTokenNanos();
    return String.format(
        "proto=%s method=%s status=%s ms=%.1f model=%s tokens_in=%d tokens_out=%d ttft_ms=%s"
            + " peer=%s key=%s trace=%s%s",
        call.protocol(),
        call.method(),
        status,
        (endNanos - call.startNanos()) / 1e6,
        call.model().isEmpty() ? "-" : call.model(),
        call.promptTokens(),
        call.completionTokens(),
        ttft < 0 ? "-" : String.format("%.1f", ttft / 1e6),
        call.peer(),
        call.keyId(),
        call.traceId(),
        call.note().isEmpty() ? "" : " note=" + call.note());
  }
}
