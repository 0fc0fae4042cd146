package io.inferd.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the workers of one load run record, shared and lock-free: call latency, time to first token
 * and gaps between tokens (nanoseconds, 3 significant digits), tokens, and errors by kind. {@link
 * #startWindow()} and {@link #endWindow()} cut out exactly the calls that finished in between.
 */
public final class Metrics {
  private final Recorder latency = new Recorder(3);
  private final Recorder ttft = new Recorder(3);
  private final Recorder gaps = new Recorder(3);
  private final LongAdder tokens = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private volatile boolean counting;

  /** A timer for one call that starts now. */
  public CallTimer startCall() {
    return new CallTimer(System.nanoTime());
  }

  void finished(CallTimer call) {
    latency.recordValue(Math.max(1, System.nanoTime() - call.start));
  }

  void failed(String kind) {
    if (counting) {
      errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }
  }

  /** Discards everything recorded so far (the warm-up) and starts counting. */
  public void startWindow() {
    latency.reset();
    ttft.reset();
    gaps.reset();
    tokens.reset();
    errors.clear();
    counting = true;
  }

  /** Stops counting and returns what was recorded since {@link #startWindow()}. */
  public Window endWindow() {
    counting = false;
    Map<String, Long> errorKinds = new TreeMap<>();
    errors.forEach((kind, count) -> errorKinds.put(kind, count.sum()));
    return new Window(
        latency.getIntervalHistogram(),
        ttft.getIntervalHistogram(),
        gaps.getIntervalHistogram(),
        tokens.sum(),
        errorKinds);
  }

  /** The calls that finished inside a window. */
  public record Window(
      Histogram latency, Histogram ttft, Histogram gaps, long tokens, Map<String, Long> errors) {
    public long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Times one call: its start, and each token as the client receives it. */
  public final class CallTimer {
    final long start;
    private long last = -1;
    private int received;

    private CallTimer(long start) {
      this.start = start;
    }

    /** A token (non-empty content) arrived now. */
    public void token() {
      long now = System.nanoTime();
      if (last < 0) {
        ttft.recordValue(Math.max(1, now - start));
      } else {
        gaps.recordValue(Math.max(1, now - last));
      }
      last = now;
      received++;
      tokens.increment();
    }

    public int tokens() {
      return received;
    }
  }
}
