package io.inferd.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets the engine thread wait until the transport can take another message, so a slow reader slows
 * the engine instead of filling a buffer. Opened by the call's ready and cancel handlers.
 */
final class ReadyGate {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  void open() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the call is ready or cancelled; returns whether it may write. */
  boolean awaitReady(ServerCallStreamObserver<?> call) {
    lock.lock();
    try {
      while (!call.isReady() && !call.isCancelled()) {
        // The timeout only guards against a missed signal; readiness is re-checked each time.
        changed.await(100, TimeUnit.MILLISECONDS);
      }
      return !call.isCancelled();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
