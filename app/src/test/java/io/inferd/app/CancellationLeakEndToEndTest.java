package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A thousand calls cancelled at random points — before the first message, after it, mid-stream,
 * while queued, by a deadline, half-closed early or never — and the server is left as it was: every
 * slot free, no more threads, file descriptors or heap than before.
 */
class CancellationLeakEndToEndTest {
  private static final int CALLS = 1000;
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    running = RunningServer.start(ObservedGenerator.open(TestModels.tiny()), 2, 64);
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void thousandRandomCancels_leaveSlotsThreadsFilesAndHeapAsTheyWere() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      runCalls(clients, 200, new Random(1)); // warm-up: pools, caches, JIT
      awaitIdle();
      LeakIndicators before = LeakIndicators.measure();

      runCalls(clients, CALLS, new Random(42));
      awaitIdle();
      Thread.sleep(500); // let transport threads that ended their work go idle
      LeakIndicators after = LeakIndicators.measure();

      System.out.println("leak indicators before " + before + ", after " + after);
      assertThat(running.core.scheduler().running()).isZero();
      assertThat(running.core.scheduler().queued()).isZero();
      assertThat(after.threads()).isLessThanOrEqualTo(before.threads() + 8);
      assertThat(after.openFiles()).isLessThanOrEqualTo(before.openFiles() + 8);
      assertThat(after.heapAfterGcBytes())
          .isLessThanOrEqualTo(before.heapAfterGcBytes() + (24L << 20));
    } finally {
      clients.shutdownNow();
    }
  }

  private void awaitIdle() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((running.core.scheduler().running() > 0
            || running.core.scheduler().queued() > 0
            || running.telemetry.metrics().activeCalls() > 0)
        && System.nanoTime() < until) {
      Thread.sleep(10);
    }
  }

  private void runCalls(ExecutorService clients, int count, Random random) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(8);
      long seed = random.nextLong();
      done.add(clients.submit(() -> oneCall(kind, new Random(seed))));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  private static CompleteRequest request(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(maxTokens)
        .build();
  }

  /**
   * One call, cancelled (or not) at the point {@code kind} picks; returns when the client is done.
   */
  private Void oneCall(int kind, Random random) throws Exception {
    var stub =
        InferenceServiceGrpc.newStub(running.channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    var finished = new CountDownLatch(1);
    switch (kind) {
      case 0 -> { // cancel before anything was sent back, possibly while queued
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> stub.complete(request(100), observer(finished)));
        Thread.sleep(random.nextInt(3));
        ctx.cancel(null);
      }
      case 1, 2 -> { // stream: cancel after the first or after a few chunks
        int after = kind == 1 ? 1 : 1 + random.nextInt(20);
        stub.streamComplete(
            request(150),
            new ClientResponseObserver<CompleteRequest, StreamChunk>() {
              private ClientCallStreamObserver<CompleteRequest> call;
              private int seen;

              @Override
              public void beforeStart(ClientCallStreamObserver<CompleteRequest> call) {
                this.call = call;
              }

              @Override
              public void onNext(StreamChunk value) {
                if (++seen == after) {
                  call.cancel("test cancels", null);
                }
              }

              @Override
              public void onError(Throwable t) {
                finished.countDown();
              }

              @Override
              public void onCompleted() {
                finished.countDown();
              }
            });
      }
      case 3 -> // a deadline that expires anywhere from admission to mid-generation
          stub.withDeadlineAfter(1 + random.nextInt(15), TimeUnit.MILLISECONDS)
              .streamComplete(request(200), observer(finished));
      case 4 -> { // chat: one turn, then cancel without half-closing
        Context.CancellableContext ctx = Context.current().withCancellation();
        StreamObserver<ChatMessage> in = ctx.call(() -> stub.chat(observer(finished)));
        in.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat").build());
        Thread.sleep(random.nextInt(5));
        ctx.cancel(null);
      }
      case 5 -> { // chat: half-closed at once, never a message
        StreamObserver<ChatMessage> in = stub.chat(observer(finished));
        in.onCompleted();
      }
      case 6 -> { // batch embed: some texts, then cancel instead of half-closing
        StreamObserver<EmbedRequest> in = stub.batchEmbed(observer(finished));
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
          in.onNext(EmbedRequest.newBuilder().setText("text " + i).build());
        }
        in.onError(new RuntimeException("client gives up"));
      }
      default -> // a normal call, so the queue has real work in it
          stub.complete(request(8), observer(finished));
    }
    if (!finished.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("call kind " + kind + " never ended");
    }
    return null;
  }

  private static <T> StreamObserver<T> observer(CountDownLatch finished) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        finished.countDown();
      }

      @Override
      public void onCompleted() {
        finished.countDown();
      }
    };
  }
}
