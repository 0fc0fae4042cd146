package io.inferd.server.core;

import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Sampling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The n choices of one completion: as many run at once as the scheduler has slots, the rest start
 * as earlier ones end, so n never overflows the queue on its own. One failure fails the completion
 * and cancels the other choices; cancelling the completion cancels them all.
 */
final class ChoiceRun {
  private final InferenceCore core;
  private final PlannedCompletion plan;
  private final ChoiceSink sink;
  private final GenerationObserver observer;
  private final Completion.Choice[] done;
  private final List<CompletableFuture<Generation>> running = new ArrayList<>();
  private final CompletableFuture<Completion> result = new CompletableFuture<>();
  private int next;
  private int finished;

  ChoiceRun(
      InferenceCore core, PlannedCompletion plan, ChoiceSink sink, GenerationObserver observer) {
    this.core = core;
    this.plan = plan;
    this.sink = sink;
    this.observer = observer;
    this.done = new Completion.Choice[plan.n()];
  }

  CompletableFuture<Completion> start() {
    result.whenComplete(
        (completion, error) -> {
          if (error != null) {
            cancelAll();
          }
        });
    int first = Math.min(plan.n(), Math.max(1, core.scheduler().slots()));
    for (int i = 0; i < first; i++) {
      startNext();
    }
    return result;
  }

  private void startNext() {
    int index;
    synchronized (this) {
      if (next >= done.length || result.isDone()) {
        return;
      }
      index = next++;
    }
    ChoiceFilter filter = new ChoiceFilter(index, plan, sink);
    CompletableFuture<Generation> work;
    try {
      work = core.generate(forChoice(index), filter, index, observer);
    } catch (RuntimeException e) { // a full queue answers at once
      result.completeExceptionally(e);
      return;
    }
    synchronized (this) {
      running.add(work);
    }
    if (result.isDone()) {
      work.cancel(false);
      return;
    }
    work.whenComplete(
        (generation, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
            return;
          }
          Completion.Choice choice;
          try {
            choice = filter.finish(generation);
          } catch (RuntimeException e) { // the call's answer, not an exception lost in a callback
            result.completeExceptionally(e);
            return;
          }
          boolean all;
          synchronized (this) {
            done[index] = choice;
            all = ++finished == done.length;
          }
          if (all) {
            result.complete(new Completion(Arrays.asList(done)));
          } else {
            startNext();
          }
        });
  }

  /** Choice i > 0 of a seeded request gets seed + i: reproducible, and not n copies of one text. */
  private PlannedCompletion forChoice(int index) {
    GenerationRequest request = plan.request();
    Sampling s = request.sampling();
    if (index == 0 || s.seed().isEmpty()) {
      return plan;
    }
    Sampling seeded =
        new Sampling(
            s.temperature(),
            s.topP(),
            s.topK(),
            s.minP(),
            s.repetitionPenalty(),
            s.presencePenalty(),
            s.frequencyPenalty(),
            s.penaltyLastN(),
            OptionalInt.of(s.seed().getAsInt() + index),
            s.grammar());
    return new PlannedCompletion(
        plan.model(),
        plan.generator(),
        new GenerationRequest(
            request.prompt(),
            request.maxTokens(),
            seeded,
            request.deadlineNanoTime(),
            request.topLogprobs()),
        plan.fastMode(),
        plan.stop(),
        plan.n(),
        plan.tools());
  }

  private void cancelAll() {
    List<CompletableFuture<Generation>> all;
    synchronized (this) {
      all = List.copyOf(running);
    }
    all.forEach(work -> work.cancel(false));
  }
}
