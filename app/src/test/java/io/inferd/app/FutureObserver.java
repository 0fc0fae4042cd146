package io.inferd.app;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** A response observer for calls with one answer: the future gets it, or the call's error. */
final class FutureObserver {
  private FutureObserver() {}

  static <T> StreamObserver<T> completing(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(null); // no effect after onNext; a call that answered nothing
      }
    };
  }
}
