package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import io.inferd.engine.remote.GrpcUpstreamGenerator;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** client → inferd A (gRPC upstream engine) → inferd B (the tiny model). */
class ChainedServersEndToEndTest {
  private ObservedGenerator modelOnB;
  private RunningServer b;
  private RunningServer a;

  private void startChain(ObservedGenerator generator) throws Exception {
    modelOnB = generator;
    b = RunningServer.start(modelOnB, 2, 2);
    a =
        RunningServer.start(
            GrpcUpstreamGenerator.connect("127.0.0.1:" + b.server.grpcPort(), "tiny", null, 2),
            2,
            2);
  }

  @AfterEach
  void stop() throws Exception {
    modelOnB.allow(10_000);
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private static CompleteRequest ask(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("system").setContent("be brief"))
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(maxTokens)
        .setSeed(4)
        .build();
  }

  @Test
  void answersThroughTheChain_withTheUpstreamsUsageAndPrompt() throws Exception {
    startChain(ObservedGenerator.open(TestModels.tiny()));
    CompleteResponse viaA = a.blocking().complete(ask(6));
    CompleteResponse direct = b.blocking().complete(ask(6));

    assertThat(viaA.getChoices(0).getMessage().getContent())
        .isEqualTo(direct.getChoices(0).getMessage().getContent());
    assertThat(viaA.getUsage()).isEqualTo(direct.getUsage());
    assertThat(modelOnB.prompts.get(0)).contains("<|im_start|>system\nbe brief<|im_end|>");

    StringBuilder streamed = new StringBuilder();
    a.blocking()
        .streamComplete(ask(6))
        .forEachRemaining(c -> streamed.append(c.getChoices(0).getDelta().getContent()));
    assertThat(streamed.toString()).isEqualTo(direct.getChoices(0).getMessage().getContent());
  }

  @Test
  void clientDeadline_propagatesToTheLastServer_andCancelsGenerationThere() throws Exception {
    startChain(ObservedGenerator.gated(TestModels.tiny()));
    // Long enough for A to connect to B on a loaded machine; the gate holds the stream past it.
    Iterator<StreamChunk> stream =
        a.blocking().withDeadlineAfter(3, TimeUnit.SECONDS).streamComplete(ask(30));
    modelOnB.allow(1);
    assertThat(stream.next().getChoices(0).getDelta().getContent()).isNotNull();

    long remainingOnB = modelOnB.requests.get(0).deadlineNanoTime().getAsLong() - System.nanoTime();
    assertThat(remainingOnB).isPositive().isLessThan(TimeUnit.SECONDS.toNanos(3));

    assertThatThrownBy(() -> stream.forEachRemaining(c -> {}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    // B's own copy of the deadline ends its call: wait for that, then let its engine try to go on.
    long cancelledBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (b.telemetry.metrics().activeCalls() > 0 && System.nanoTime() < cancelledBy) {
      Thread.sleep(5);
    }
    assertThat(b.telemetry.metrics().activeCalls())
        .as("B's call still open a second later")
        .isZero();
    modelOnB.allow(3);
    var onB = modelOnB.nextFinished();
    assertThat(onB.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(onB.completionTokens())
        .isEqualTo(2); // the token it had, and the one it was waiting on
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((b.core.scheduler().running() > 0 || a.core.scheduler().running() > 0)
        && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(b.core.scheduler().running()).isZero();
    assertThat(a.core.scheduler().running()).isZero();
  }
}
