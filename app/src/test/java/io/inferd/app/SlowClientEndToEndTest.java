package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading: flow control stops the engine instead of buffering the answer, and
 * after the idle timeout the stream ends and its slot is free again.
 */
class SlowClientEndToEndTest {
  private RunningServer running;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    running.close();
  }

  @Test
  void clientThatStopsReading_pausesTheEngine_thenTimesOutAndFreesTheSlot() throws Exception {
    ObservedGenerator generator = ObservedGenerator.open(TestModels.tinyLongContext());
    running = RunningServer.withStreamIdleTimeout(generator, Duration.ofSeconds(1));
    // A small fixed window (no BDP auto-tuning), and the client takes one message only.
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", running.server.grpcPort())
            .usePlaintext()
            .flowControlWindow(16 * 1024)
            .build();
    AtomicInteger received = new AtomicInteger();
    AtomicReference<ClientCallStreamObserver<CompleteRequest>> callRef = new AtomicReference<>();
    InferenceServiceGrpc.newStub(channel)
        .streamComplete(
            CompleteRequest.newBuilder()
                .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
                .setMaxTokens(4000)
                .build(),
            new ClientResponseObserver<CompleteRequest, StreamChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<CompleteRequest> call) {
                callRef.set(call);
                call.disableAutoRequestWithInitial(1);
              }

              @Override
              public void onNext(StreamChunk value) {
                received.incrementAndGet(); // and never asks for more
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });

    Generation g = generator.nextFinished();

    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(g.completionTokens())
        .as("tokens decoded before flow control stopped the engine")
        .isLessThan(4000);
    assertThat(received.get()).isEqualTo(1);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (running.core.scheduler().running() > 0 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(running.core.scheduler().running()).isZero();
    callRef.get().cancel("test done", null);
  }
}
