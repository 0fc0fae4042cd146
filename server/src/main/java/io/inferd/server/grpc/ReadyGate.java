package io.inferd.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets the engine thread wait until the transport can take another message, so a slow reader slows
 * the engine instead of filling a buffer. Opened by the call's ready and cancel handlers. A reader
 * that takes nothing for {@code idleTimeout} is given up on, so a stuck client cannot hold a slot.
 */
final class ReadyGate {
  /** What the writer may do next. */
  enum Outcome {
    WRITE,
    CANCELLED,
    IDLE_TIMEOUT
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final long idleTimeoutNanos;

  ReadyGate(Duration idleTimeout) {
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  void open() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the call is ready, cancelled, or has been stuck for the idle timeout. */
  Outcome awaitReady(ServerCallStreamObserver<?> call) {
    long giveUpAt = System.nanoTime() + idleTimeoutNanos;
    lock.lock();
    try {
      while (!call.isReady() && !call.isCancelled()) {
        long left = giveUpAt - System.nanoTime();
        if (left <= 0) {
          return Outcome.IDLE_TIMEOUT;
        }
        // The cap only guards against a missed signal; readiness is re-checked each time.
        changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      return call.isCancelled() ? Outcome.CANCELLED : Outcome.WRITE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.CANCELLED;
    } finally {
      lock.unlock();
    }
  }
}
