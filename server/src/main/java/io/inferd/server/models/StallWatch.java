package io.inferd.server.models;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A read timeout for a response body: the HTTP client's timeout covers only the headers, so a
 * transfer that stops sending would wait forever. When no byte arrived for {@code timeout}, the
 * reading thread is interrupted (the client's body stream then throws), and {@link #stalled()}
 * tells that apart from a real interrupt.
 */
final class StallWatch implements AutoCloseable {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("inferd-pull-stall-watch").factory());

  private final Thread reader = Thread.currentThread();
  private final long timeoutNanos;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile boolean stalled;
  private final java.util.concurrent.ScheduledFuture<?> check;

  StallWatch(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    long period = Math.max(50, timeout.toMillis() / 4);
    check = TIMER.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void progressed() {
    lastProgressNanos = System.nanoTime();
  }

  boolean stalled() {
    return stalled;
  }

  private void check() {
    if (!stalled && System.nanoTime() - lastProgressNanos > timeoutNanos) {
      stalled = true;
      reader.interrupt();
    }
  }

  @Override
  public void close() {
    check.cancel(false);
    if (stalled) {
      Thread.interrupted(); // ours, not the caller's
    }
  }
}
