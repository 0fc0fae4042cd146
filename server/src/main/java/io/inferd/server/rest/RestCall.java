package io.inferd.server.rest;

import io.inferd.server.telemetry.CallStats;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One HTTP call in progress: its stats, and the engine work to cancel if the gateway must end it.
 */
final class RestCall {
  private final CallStats stats;
  private volatile CompletableFuture<?> work;
  private volatile boolean aborted;

  RestCall(CallStats stats) {
    this.stats = stats;
  }

  CallStats stats() {
    return stats;
  }

  /** From now on {@link #abort()} cancels {@code result}. */
  void track(CompletableFuture<?> result) {
    work = result;
    if (aborted) {
      result.cancel(false);
    }
  }

  /** Waits for the call's engine work; {@link #abort()} cancels it. */
  <T> T await(CompletableFuture<T> result) throws InterruptedException, ExecutionException {
    track(result);
    try {
      return result.get();
    } catch (InterruptedException e) {
      result.cancel(false);
      throw e;
    }
  }

  /**
   * Ends the call early: queued work leaves the queue, a running generation stops at its next
   * token.
   */
  void abort() {
    aborted = true;
    CompletableFuture<?> current = work;
    if (current != null) {
      current.cancel(false);
    }
  }

  boolean aborted() {
    return aborted;
  }
}
