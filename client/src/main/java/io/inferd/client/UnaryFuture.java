package io.inferd.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The single response of a call as a future; cancelling the future cancels the call, which a plain
 * {@code StreamObserver} adapter would leave running until its deadline.
 */
final class UnaryFuture<ReqT, RespT> extends CompletableFuture<RespT>
    implements ClientResponseObserver<ReqT, RespT> {
  private volatile ClientCallStreamObserver<ReqT> call;

  @Override
  public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
    this.call = requestStream;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    ClientCallStreamObserver<ReqT> c = call;
    if (cancelled && c != null) {
      c.cancel("future cancelled", null);
    }
    return cancelled;
  }

  @Override
  public void onNext(RespT value) {
    complete(value);
  }

  @Override
  public void onError(Throwable t) {
    completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    // A unary response arrives in onNext; a stream that ends without one is a server bug.
    completeExceptionally(
        Status.INTERNAL.withDescription("call completed without a response").asRuntimeException());
  }
}
