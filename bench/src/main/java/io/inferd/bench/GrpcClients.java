package io.inferd.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the benchmark's gRPC clients share: observers that hand a call's outcome to a future the
 * driver waits on, and closing a channel.
 */
public final class GrpcClients {
  private GrpcClients() {}

  /**
   * Each message goes to {@code onNext}; when the call ends, {@code done} completes with what
   * {@code result} gives, or fails with the call's error or with what {@code result} throws.
   */
  public static <T, R> StreamObserver<T> completing(
      Consumer<T> onNext, Supplier<R> result, CompletableFuture<R> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        onNext.accept(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        try {
          done.complete(result.get());
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      }
    };
  }

  /** Cancels the channel's calls and waits up to ten seconds for it to terminate. */
  public static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
