package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One slot and one queue place, on a generator whose tokens the test releases one by one, so that
 * "mid-stream" and "while queued" are states the test controls rather than races.
 */
class AdmissionAndCancellationEndToEndTest {
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  private ObservedGenerator generator;
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    generator = ObservedGenerator.gated(TestModels.tiny());
    running = RunningServer.start(generator, 1, 1);
  }

  @AfterEach
  void stop() throws Exception {
    generator.allow(10_000);
    running.close();
  }

  private static CompleteRequest longRequest() {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(200)
        .build();
  }

  private void awaitSlots(int running, int queued) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (this.running.core.scheduler().running() == running
          && this.running.core.scheduler().queued() == queued) {
        return;
      }
      Thread.sleep(10);
    }
    assertThat(this.running.core.scheduler().running()).as("running").isEqualTo(running);
    assertThat(this.running.core.scheduler().queued()).as("queued").isEqualTo(queued);
  }

  private void awaitServerSeesNoCall() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (running.telemetry.metrics().activeCalls() > 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(running.telemetry.metrics().activeCalls()).isZero();
  }

  @Test
  void streamComplete_clientCancelsMidStream_stopsEngineWithinOneToken_andFreesTheSlot()
      throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<StreamChunk> stream =
        context.call(() -> running.blocking().streamComplete(longRequest()));
    generator.allow(2);
    assertThat(stream.next().getChoices(0).getDelta().getRole()).isEqualTo("assistant");
    stream.next();
    generator.awaitWaitingForToken(); // the engine passed both tokens on and waits on a third

    context.cancel(null);
    awaitServerSeesNoCall(); // the RST_STREAM has arrived and the call is cancelled
    generator.allow(5); // the engine may decode at most the token it was waiting on

    Generation g = generator.nextFinished();
    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(g.completionTokens()).isEqualTo(3); // two sent, plus the one it was waiting on
    awaitSlots(0, 0);

    generator.allow(1_000);
    var after = running.blocking().complete(longRequest().toBuilder().setMaxTokens(2).build());
    assertThat(after.getUsage().getCompletionTokens()).isEqualTo(2);
  }

  @Test
  void complete_deadlinePassingMidGeneration_stopsEngineWithinOneToken_andFreesTheSlot()
      throws Exception {
    // A unary call may generate on its own handler thread, which then cannot run a cancel handler
    // (the call's other callbacks wait behind it): the call's end must reach the engine all the
    // same.
    var answer = new CompletableFuture<CompleteResponse>();
    running
        .async()
        .withDeadlineAfter(1, TimeUnit.SECONDS)
        .complete(longRequest(), FutureObserver.completing(answer));
    awaitSlots(1, 0);
    generator.allow(2);
    generator.awaitWaitingForToken(); // well before the deadline
    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StatusRuntimeException.class);
    Thread.sleep(200); // the server's own copy of the deadline fires about when the client's did

    generator.allow(5); // the engine may decode at most the token it was waiting on
    Generation g = generator.nextFinished();
    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(g.completionTokens()).isEqualTo(3); // two allowed, plus the one it was waiting on
    awaitSlots(0, 0);
    awaitServerSeesNoCall();
  }

  @Test
  void fullQueue_isResourceExhaustedAtOnceWithPushback_andACancelledQueuedCallLeavesTheQueue()
      throws Exception {
    Context.CancellableContext first = Context.current().withCancellation();
    Iterator<StreamChunk> holding =
        first.call(() -> running.blocking().streamComplete(longRequest()));
    generator.allow(1);
    holding.next(); // the only slot is busy now
    Context.CancellableContext second = Context.current().withCancellation();
    Iterator<StreamChunk> queued =
        second.call(() -> running.blocking().streamComplete(longRequest()));
    awaitSlots(1, 1);

    assertThatThrownBy(() -> running.blocking().complete(longRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).contains("1 generation slots");
              assertThat(Status.trailersFromThrowable(e).get(PUSHBACK)).isEqualTo("500");
            });

    second.cancel(null);
    awaitSlots(1, 0);
    first.cancel(null);
    awaitServerSeesNoCall();
    generator.allow(3);
    awaitSlots(0, 0);
    assertThat(generator.prompts).hasSize(1); // the queued call never reached the engine
  }

  @Test
  void expiredDeadline_stopsGeneration_andFreesTheSlot() throws Exception {
    Iterator<StreamChunk> stream =
        running
            .blocking()
            .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
            .streamComplete(longRequest());
    generator.allow(1);
    stream.next();
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> {
              while (stream.hasNext()) {
                stream.next();
              }
            })
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    awaitServerSeesNoCall(); // the server's own copy of the deadline has fired too
    generator.allow(2);
    assertThat(generator.nextFinished().finishReason()).isEqualTo(FinishReason.CANCELLED);
    awaitSlots(0, 0);
  }
}
