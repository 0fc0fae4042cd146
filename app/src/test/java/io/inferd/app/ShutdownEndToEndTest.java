package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShutdownEndToEndTest {
  private ObservedGenerator generator;
  private RunningServer running;

  @AfterEach
  void stop() throws Exception {
    generator.allow(10_000);
    running.close();
  }

  private static CompleteRequest request(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(maxTokens)
        .build();
  }

  /** Health turns NOT_SERVING first; once the server refuses new calls, health is refused too. */
  private void awaitDraining() throws InterruptedException {
    var health = HealthGrpc.newBlockingStub(running.channel);
    for (int i = 0; i < 500; i++) {
      try {
        var status =
            health
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        if (status.getStatus() == ServingStatus.NOT_SERVING) {
          return;
        }
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("health never left SERVING");
  }

  @Test
  void stop_letsARunningStreamFinishWithinGrace_andRefusesNewCalls() throws Exception {
    generator = ObservedGenerator.gated(TestModels.tiny());
    running = RunningServer.start(generator, 2, 2);
    Iterator<StreamChunk> stream = running.blocking().streamComplete(request(6));
    generator.allow(1);
    List<StreamChunk> chunks = new ArrayList<>();
    chunks.add(stream.next());

    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(() -> running.server.stop(Duration.ofSeconds(10)));
    awaitDraining();
    // An invalid request reaches the service (INVALID_ARGUMENT) until the server refuses new calls.
    Status.Code code = Status.Code.INVALID_ARGUMENT;
    for (int i = 0; i < 500 && code == Status.Code.INVALID_ARGUMENT; i++) {
      try {
        running.blocking().complete(CompleteRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
      Thread.sleep(10);
    }
    assertThat(code).isEqualTo(Status.Code.UNAVAILABLE);

    generator.allow(100);
    stream.forEachRemaining(chunks::add);
    stopping.get();
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.hasUsage()).isTrue();
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(chunks.size() - 1);
  }

  @Test
  void stop_afterItsGrace_endsAStillRunningStreamWithUnavailable_andStopsItsEngine()
      throws Exception {
    generator = ObservedGenerator.gated(TestModels.tiny());
    running = RunningServer.start(generator, 2, 2);
    Iterator<StreamChunk> stream = running.blocking().streamComplete(request(100));
    generator.allow(1);
    stream.next();

    running.server.stop(Duration.ofMillis(400));

    assertThatThrownBy(() -> stream.forEachRemaining(chunk -> {}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("shutting down");
            });
    generator.allow(2); // the engine's next token finds the call ended
    assertThat(generator.nextFinished().finishReason()).isEqualTo(FinishReason.CANCELLED);
  }
}
