package io.inferd.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop load: {@code concurrency} virtual threads, each making one call after another
 * through a shared {@link CallDriver}, first for a warm-up, then for a measured window. Only calls
 * that finish inside the window count; the listener is told when the window opens and closes, so
 * server figures (CPU, heap) cover exactly the same interval.
 */
public final class LoadRunner {
  private LoadRunner() {}

  /** Told at the edges of the measured window, on the runner's thread. */
  public interface WindowListener {
    WindowListener NONE =
        new WindowListener() {
          @Override
          public void opened() {}

          @Override
          public void closed() {}
        };

    void opened();

    void closed();
  }

  /** What one run measured. */
  public record Outcome(Metrics.Window window, double seconds, long clientCpuNanos) {
    public long calls() {
      return window.latency().getTotalCount();
    }
  }

  public static Outcome run(
      CallDriver driver,
      int concurrency,
      Duration warmup,
      Duration measure,
      WindowListener listener)
      throws InterruptedException {
    Metrics metrics = new Metrics();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> workers = new ArrayList<>(concurrency);
    for (int i = 0; i < concurrency; i++) {
      workers.add(
          Thread.ofVirtual()
              .name("load-", i)
              .start(
                  () -> {
                    while (!stop.get()) {
                      Metrics.CallTimer timer = metrics.startCall();
                      try {
                        driver.call(timer);
                        metrics.finished(timer);
                      } catch (Exception e) {
                        metrics.failed(ErrorKinds.of(e));
                        LockSupport.parkNanos(
                            TimeUnit.MILLISECONDS.toNanos(1)); // no hot loop on failure
                      }
                    }
                  }));
    }
    Thread.sleep(warmup.toMillis());
    listener.opened();
    long clientCpu0 = ClientCpu.nanos();
    long t0 = System.nanoTime();
    metrics.startWindow();
    Thread.sleep(measure.toMillis());
    Metrics.Window window = metrics.endWindow();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long clientCpu = ClientCpu.nanos() - clientCpu0;
    listener.closed();
    stop.set(true);
    for (Thread worker : workers) {
      worker.join(Duration.ofSeconds(90));
    }
    return new Outcome(window, seconds, clientCpu);
  }
}
