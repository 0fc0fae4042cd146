package io.inferd.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Waits for a call's future the way blocking stubs do: failures come out as gRPC statuses. */
final class Futures {
  private Futures() {}

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(); // the call's deadline bounds the wait
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException();
    } catch (ExecutionException e) {
      throw asStatusException(e.getCause());
    }
  }

  private static StatusRuntimeException asStatusException(Throwable t) {
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    return Status.fromThrowable(t).asRuntimeException();
  }
}
