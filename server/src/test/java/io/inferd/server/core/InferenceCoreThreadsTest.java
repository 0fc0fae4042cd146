package io.inferd.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Prompt;
import io.inferd.engine.Scheduler;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.server.core.CompletionInput.InputMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread runs a generation: the caller's when it waits anyway and a slot is free, without
 * taking a fork-join pool's worker away from its other work.
 */
class InferenceCoreThreadsTest {
  private final RecordingGenerator generator = new RecordingGenerator();
  private final InferenceCore core =
      new InferenceCore(
          ModelRegistry.builder().generator("m", generator).build(),
          new Scheduler(1, 4, 100),
          new CoreLimits(8, 64, 16, 0.7f));

  private final ForkJoinPool callExecutor = new ForkJoinPool(1); // as gRPC's, with one worker

  @AfterEach
  void close() {
    generator.release.countDown();
    core.close();
    callExecutor.shutdownNow();
  }

  private PlannedCompletion plan() {
    return core.plan(
        new CompletionInput("", List.of(new InputMessage("user", "hi")), 0, 4, null, null));
  }

  @Test
  void completeWaiting_withAFreeSlot_generatesOnTheCallingThread() throws Exception {
    generator.release.countDown();
    Completion done =
        core.completeWaiting(plan(), (i, text, tokens) -> true, GenerationObserver.NONE)
            .get(5, TimeUnit.SECONDS);

    assertThat(done.choices().getFirst().generation().text()).isEqualTo("ok");
    assertThat(generator.thread.get()).isSameAs(Thread.currentThread());
  }

  @Test
  void completeWaiting_onTheCallingThread_returnsItsAnswerDone_andFreesTheSlot() {
    generator.release.countDown();
    var phases = new AtomicReference<GenerationObserver.Phases>();
    var observer =
        new GenerationObserver() {
          @Override
          public void generated(Phases generation) {
            phases.set(generation);
          }
        };

    var answer = core.completeWaiting(plan(), (i, text, tokens) -> true, observer);

    assertThat(answer).isCompleted();
    assertThat(answer.join().first().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(phases.get().completionTokens()).isEqualTo(1);
    assertThat(phases.get().firstToken()).isGreaterThanOrEqualTo(phases.get().started());
    assertThat(core.scheduler().running()).isZero();
  }

  @Test
  void completeWaiting_withAFailingEngine_failsItsAnswer_andFreesTheSlot() {
    generator.failure = new IllegalStateException("engine broke");
    generator.release.countDown();

    var answer = core.completeWaiting(plan(), (i, text, tokens) -> true, GenerationObserver.NONE);

    assertThat(answer).isCompletedExceptionally();
    assertThatThrownBy(answer::join).hasRootCauseMessage("engine broke");
    assertThat(core.scheduler().running()).isZero();
  }

  @Test
  void complete_whoseSinkFailsAsTheChoiceEnds_failsItsAnswer() {
    generator.text = "ok\uD83D"; // half a surrogate pair: held back until the choice ends
    generator.release.countDown();

    var answer =
        core.complete(
            plan(),
            (i, text, tokens) -> {
              if (text.equals("\uD83D")) {
                throw new IllegalStateException("transport broke");
              }
              return true;
            });

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .hasRootCauseMessage("transport broke");
  }

  @Test
  void complete_generatesOnAGenerationThread() throws Exception {
    generator.release.countDown();
    core.complete(plan(), (i, text, tokens) -> true).get(5, TimeUnit.SECONDS);

    assertThat(generator.thread.get().getName()).startsWith("inferd-generate");
  }

  @Test
  void completeWaiting_withNoFreeSlot_queuesAndReturnsAtOnce() throws Exception {
    var first = core.complete(plan(), (i, text, tokens) -> true);
    var second = core.completeWaiting(plan(), (i, text, tokens) -> true, GenerationObserver.NONE);
    assertThat(second).isNotDone(); // it did not block this thread waiting for the slot

    generator.release.countDown();
    first.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    assertThat(generator.thread.get().getName()).startsWith("inferd-generate");
  }

  @Test
  void completeWaiting_onAForkJoinWorker_letsThePoolRunOtherWorkMeanwhile() throws Exception {
    var pool = new ForkJoinPool(1); // gRPC's call executor, one worker
    try {
      var unary =
          pool.submit(
              () ->
                  core.completeWaiting(plan(), (i, text, tokens) -> true, GenerationObserver.NONE));
      assertThat(generator.started.await(10, TimeUnit.SECONDS)).isTrue();

      // the only worker is inside the engine: without managedBlock this would wait for it
      pool.submit(generator.release::countDown).get(10, TimeUnit.SECONDS);

      Completion done = unary.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
      assertThat(done.choices().getFirst().generation().text()).isEqualTo("ok");
      assertThat(generator.thread.get()).isInstanceOf(ForkJoinWorkerThread.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void completeWaiting_onAForkJoinPoolAtItsThreadLimit_generatesOnAGenerationThread()
      throws Exception {
    var pool = oneThreadAtMost(); // it cannot add a worker while its only one would block
    try {
      generator.release.countDown();
      Completion done =
          pool.submit(
                  () ->
                      core.completeWaiting(
                          plan(), (i, text, tokens) -> true, GenerationObserver.NONE))
              .get(10, TimeUnit.SECONDS)
              .get(10, TimeUnit.SECONDS);

      assertThat(done.choices().getFirst().generation().text()).isEqualTo("ok");
      assertThat(generator.thread.get().getName()).startsWith("inferd-generate");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void completeWaiting_withAnEngineThatOnlyComputes_keepsTheWorkerEvenAtThePoolsThreadLimit()
      throws Exception {
    generator.waits = false; // nothing to tell the pool, so nothing it could refuse
    var pool = oneThreadAtMost();
    try {
      generator.release.countDown();
      pool.submit(
              () ->
                  core.completeWaiting(plan(), (i, text, tokens) -> true, GenerationObserver.NONE))
          .get(10, TimeUnit.SECONDS)
          .get(10, TimeUnit.SECONDS);

      assertThat(generator.thread.get()).isInstanceOf(ForkJoinWorkerThread.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void complete_withAnEngineThatOnlyComputes_runsOnTheAdmittingWorkersPool() throws Exception {
    generator.waits = false;
    generator.release.countDown();
    completeOnAWorker().get(10, TimeUnit.SECONDS);

    assertThat(generator.thread.get()).isInstanceOf(ForkJoinWorkerThread.class);
    assertThat(((ForkJoinWorkerThread) generator.thread.get()).getPool()).isSameAs(callExecutor);
  }

  @Test
  void complete_withAnEngineThatWaits_onAForkJoinWorker_runsOnAGenerationThread() throws Exception {
    generator.release.countDown();
    completeOnAWorker().get(10, TimeUnit.SECONDS);

    assertThat(generator.thread.get().getName()).startsWith("inferd-generate");
  }

  @Test
  void complete_afterClose_isRefused_evenForAnEngineThatOnlyComputes() {
    generator.waits = false;
    core.close();
    var answer = completeOnAWorker();

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ShuttingDownException.class);
    assertThat(generator.thread.get()).isNull();
  }

  /** Starts a completion from a worker of {@link #callExecutor}, as a gRPC handler does. */
  private CompletableFuture<Completion> completeOnAWorker() {
    return callExecutor.submit(() -> core.complete(plan(), (i, text, tokens) -> true)).join();
  }

  private static ForkJoinPool oneThreadAtMost() {
    return new ForkJoinPool(
        1,
        ForkJoinPool.defaultForkJoinWorkerThreadFactory,
        null,
        true,
        0,
        1,
        1,
        null,
        1,
        TimeUnit.MINUTES);
  }

  /** Answers "ok" once released, remembering the thread of the last generation. */
  private static final class RecordingGenerator implements TextGenerator {
    volatile boolean waits = true;
    volatile RuntimeException failure;
    volatile String text = "ok";
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicReference<Thread> thread = new AtomicReference<>();

    @Override
    public int contextLength() {
      return 256;
    }

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public Prompt render(List<Turn> conversation) {
      return new Prompt(conversation.getLast().content(), 1, conversation);
    }

    @Override
    public Generation generate(GenerationRequest request, TokenSink sink) {
      thread.set(Thread.currentThread());
      started.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
      sink.onToken(text);
      return new Generation(text, 1, 1, FinishReason.STOP);
    }

    @Override
    public boolean waitsWhileGenerating() {
      return waits;
    }

    @Override
    public void close() {}
  }
}
