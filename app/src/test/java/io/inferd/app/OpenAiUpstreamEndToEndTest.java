package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.remote.OpenAiUpstreamGenerator;
import io.inferd.engine.remote.UpstreamPool;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * client → inferd A (gRPC; its model is an OpenAI HTTP upstream) → inferd B's REST gateway (the
 * tiny model, gated so the test acts mid-generation).
 */
class OpenAiUpstreamEndToEndTest {
  private ObservedGenerator modelOnB;
  private RunningServer b;
  private RunningServer a;

  private void startChain(ObservedGenerator generator) throws Exception {
    modelOnB = generator;
    b = RunningServer.start(modelOnB, 2, 2);
    var upstream =
        OpenAiUpstreamGenerator.connect(
            List.of(URI.create("http://127.0.0.1:" + b.server.httpPort() + "/v1")),
            "tiny",
            null,
            2,
            UpstreamPool.Settings.defaults());
    a = RunningServer.start(upstream, 2, 2);
  }

  @AfterEach
  void stop() throws Exception {
    if (modelOnB != null) {
      modelOnB.allow(10_000);
    }
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
  void complete_throughTheHttpUpstream_givesTheUpstreamsTextUsageAndPrompt() throws Exception {
    startChain(ObservedGenerator.open(TestModels.tiny()));

    CompleteResponse viaA = a.blocking().complete(ask(6));
    CompleteResponse direct = b.blocking().complete(ask(6));

    assertThat(viaA.getChoices(0).getMessage().getContent())
        .isEqualTo(direct.getChoices(0).getMessage().getContent());
    assertThat(viaA.getChoices(0).getFinishReason())
        .isEqualTo(direct.getChoices(0).getFinishReason());
    assertThat(viaA.getUsage()).isEqualTo(direct.getUsage());
    assertThat(modelOnB.prompts.get(0)).contains("<|im_start|>system\nbe brief<|im_end|>");
    assertThat(modelOnB.requests.get(0).maxTokens()).isEqualTo(6);
  }

  @Test
  void streamComplete_forwardsEachTokenAsItArrives_beforeTheUpstreamFinishes() throws Exception {
    startChain(ObservedGenerator.gated(TestModels.tiny()));
    Iterator<StreamChunk> stream = a.blocking().streamComplete(ask(8));

    StringBuilder text = new StringBuilder();
    for (int token = 1; token <= 3; token++) {
      modelOnB.allow(1);
      StreamChunk chunk = stream.next(); // arrives although B may not decode the next token yet
      text.append(chunk.getChoices(0).getDelta().getContent());
      assertThat(modelOnB.finished).as("B finished before token %d arrived", token).isEmpty();
    }
    modelOnB.allow(10_000);
    StreamChunk last = null;
    while (stream.hasNext()) {
      last = stream.next();
      text.append(last.getChoices(0).getDelta().getContent());
    }

    Generation onB = modelOnB.nextFinished();
    assertThat(text.toString()).isEqualTo(onB.text());
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(onB.completionTokens());
    assertThat(last.getUsage().getPromptTokens()).isEqualTo(onB.promptTokens());
  }

  @Test
  void clientCancelOnA_closesTheUpstreamRequest_andStopsGenerationOnB() throws Exception {
    startChain(ObservedGenerator.gated(TestModels.tiny()));
    Context.CancellableContext call = Context.current().withCancellation();
    Iterator<StreamChunk> stream = call.call(() -> a.blocking().streamComplete(ask(60)));
    modelOnB.allow(1);
    assertThat(stream.next().getChoices(0).getDelta().getContent()).isNotNull();

    call.cancel(null);
    // A notices at the upstream's next token, closes the connection; B's next writes then fail.
    Generation onB = letBGoOnUntilItFinishes();

    assertThat(onB.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(onB.completionTokens()).isLessThan(10);
    awaitTrue(() -> b.core.scheduler().running() == 0, "B's slot freed");
    awaitTrue(() -> a.core.scheduler().running() == 0, "A's slot freed");
  }

  @Test
  void deadlineOnA_endsTheUpstreamRequest_andStopsGenerationOnB() throws Exception {
    startChain(ObservedGenerator.gated(TestModels.tiny()));
    Iterator<StreamChunk> stream =
        a.blocking().withDeadlineAfter(800, TimeUnit.MILLISECONDS).streamComplete(ask(60));
    modelOnB.allow(1);
    assertThat(stream.next().getChoices(0).getDelta().getContent()).isNotNull();

    assertThatThrownBy(() -> stream.forEachRemaining(c -> {}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    // A's engine gives up at the same deadline and closes the upstream connection.
    awaitTrue(() -> a.core.scheduler().running() == 0, "A's engine gave up at the deadline");
    Generation onB = letBGoOnUntilItFinishes();

    assertThat(onB.finishReason()).isEqualTo(FinishReason.CANCELLED);
    awaitTrue(() -> b.core.scheduler().running() == 0, "B's slot freed");
  }

  /**
   * Lets B decode one token at a time (each one a write to the closed connection) until it ends.
   */
  private Generation letBGoOnUntilItFinishes() throws InterruptedException {
    for (int token = 0; token < 50; token++) {
      modelOnB.allow(1);
      Generation done = modelOnB.finished.poll(100, TimeUnit.MILLISECONDS);
      if (done != null) {
        return done;
      }
    }
    throw new AssertionError("B still generating after 50 more tokens");
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
