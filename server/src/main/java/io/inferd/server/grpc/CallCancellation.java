package io.inferd.server.grpc;

import io.grpc.Context;

/**
 * Whether the current call was cancelled (by its client, a disconnect or its deadline), as a flag
 * cheap enough to read for every token: {@code isCancelled()} on the call goes through every
 * interceptor's forwarding call, and the call's {@link Context} answers under a lock. gRPC cancels
 * that context as soon as the call is cancelled, outside the call's serialized callbacks (from its
 * deadline's timer, or in a task of its own), so the flag turns even while the call's own thread is
 * busy running the engine and cannot run the cancel handler.
 */
final class CallCancellation implements Context.CancellationListener {
  private volatile boolean cancelled;

  private CallCancellation() {}

  /** Watches the call whose handler is running on this thread. */
  static CallCancellation ofCurrentCall() {
    var cancellation = new CallCancellation();
    Context.current().addListener(cancellation, Runnable::run);
    return cancellation;
  }

  @Override
  public void cancelled(Context context) {
    // A call that ended normally has its context cancelled too, without a cause.
    if (context.cancellationCause() != null) {
      cancelled = true;
    }
  }

  boolean cancelled() {
    return cancelled;
  }
}
