package io.inferd.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallCancellationTest {
  @Test
  void cancellingTheCallsContext_turnsTheFlag_evenSeenFromAChildContext() {
    Context.CancellableContext call = Context.current().withCancellation();
    Context child = call.withValue(Context.key("interceptor's value"), "v");
    CallCancellation cancellation = watch(child);
    assertThat(cancellation.cancelled()).isFalse();

    call.cancel(Status.CANCELLED.asRuntimeException());

    assertThat(cancellation.cancelled()).isTrue();
  }

  @Test
  void aCallThatEndsNormally_isNotCancelled() {
    Context.CancellableContext call = Context.current().withCancellation();
    CallCancellation cancellation = watch(call);

    call.cancel(null); // what gRPC does to the context of a call that closed with OK

    assertThat(cancellation.cancelled()).isFalse();
  }

  @Test
  void aPassedDeadline_turnsTheFlag() throws InterruptedException {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      Context.CancellableContext call =
          Context.current().withDeadline(Deadline.after(20, TimeUnit.MILLISECONDS), timer);
      CallCancellation cancellation = watch(call);
      var expired = new CountDownLatch(1);
      call.addListener(context -> expired.countDown(), Runnable::run);

      assertThat(expired.await(10, TimeUnit.SECONDS)).isTrue();
      // The timer may still be telling the other listeners (ours ran at once when the deadline
      // passed before it was added): its task has told them all once the timer has stopped.
      timer.shutdown();
      assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(cancellation.cancelled()).isTrue();
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void aCallCancelledBeforeItIsWatched_isCancelledAtOnce() {
    Context.CancellableContext call = Context.current().withCancellation();
    call.cancel(Status.DEADLINE_EXCEEDED.asRuntimeException());

    assertThat(watch(call).cancelled()).isTrue();
  }

  private static CallCancellation watch(Context context) {
    Context previous = context.attach();
    try {
      return CallCancellation.ofCurrentCall();
    } finally {
      context.detach(previous);
    }
  }
}
