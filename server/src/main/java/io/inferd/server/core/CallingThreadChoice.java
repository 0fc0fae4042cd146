package io.inferd.server.core;

import io.inferd.engine.Generation;
import io.inferd.engine.Scheduler.Permit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one choice of a completion generated on the thread that waits for it (a unary call's
 * handler), with a slot it already holds: no queue, future chain or hand-off, and the answer is a
 * completed future. An engine that waits while it generates tells the thread's pool first when that
 * is a {@link ForkJoinPool} (gRPC's call executor), which then keeps its other workers running, or
 * adds one, while this one blocks in the engine.
 */
final class CallingThreadChoice implements ForkJoinPool.ManagedBlocker {
  private final PlannedCompletion plan;
  private final ChoiceFilter filter;
  private final PhaseClock phases;
  private Generation generation;
  private Throwable failure;
  private boolean ran;

  private CallingThreadChoice(PlannedCompletion plan, ChoiceSink sink) {
    this.plan = plan;
    this.filter = new ChoiceFilter(0, plan, sink);
    this.phases = new PhaseClock(0, filter);
  }

  /**
   * Generates {@code plan}'s single choice here and closes {@code permit}; null when a pool at its
   * thread limit refused to let this thread block, before anything ran (the permit is closed then
   * too, and the caller queues the work instead).
   */
  static CompletableFuture<Completion> run(
      Permit permit, PlannedCompletion plan, ChoiceSink sink, GenerationObserver observer) {
    var choice = new CallingThreadChoice(plan, sink);
    try (permit) {
      if (plan.generator().waitsWhileGenerating()) {
        ForkJoinPool.managedBlock(choice);
      } else {
        choice.block();
      }
    } catch (RejectedExecutionException e) { // thrown before block(): nothing ran yet
      return null;
    } catch (InterruptedException e) { // block() waits on nothing: only a pool's own wait throws
      Thread.currentThread().interrupt();
      choice.failure = e;
    }
    observer.generated(choice.phases.end(choice.generation));
    if (choice.failure != null) {
      return CompletableFuture.failedFuture(choice.failure);
    }
    return CompletableFuture.completedFuture(
        new Completion(List.of(choice.filter.finish(choice.generation))));
  }

  @Override
  public boolean block() {
    ran = true;
    phases.start();
    try {
      generation = plan.generator().generate(plan.request(), phases);
    } catch (Throwable t) {
      failure = t;
    }
    phases.stop();
    return true;
  }

  @Override
  public boolean isReleasable() {
    return ran;
  }
}
