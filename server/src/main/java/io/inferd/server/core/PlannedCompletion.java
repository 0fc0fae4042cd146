package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.GenerationRequest;
import io.inferd.engine.TextGenerator;
import java.util.List;

/**
 * A validated completion: the model it runs on (and its name), what the engine will do, and, when
 * the caller's deadline was short, what {@link FastMode} changed (empty otherwise); the stop
 * sequences the core watches for, how many choices to generate, and how the reply uses tools.
 */
public record PlannedCompletion(
    String model,
    TextGenerator generator,
    GenerationRequest request,
    String fastMode,
    List<String> stop,
    int n,
    ToolUse tools) {

  public PlannedCompletion {
    stop = List.copyOf(requireNonNull(stop, "stop"));
    requireNonNull(tools, "tools");
    if (n < 1) {
      throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
    }
  }

  public PlannedCompletion(
      String model,
      TextGenerator generator,
      GenerationRequest request,
      String fastMode,
      List<String> stop,
      int n) {
    this(model, generator, request, fastMode, stop, n, ToolUse.NONE);
  }

  public PlannedCompletion(
      String model, TextGenerator generator, GenerationRequest request, String fastMode) {
    this(model, generator, request, fastMode, List.of(), 1);
  }

  public boolean isFastMode() {
    return !fastMode.isEmpty();
  }

  /** Whether the client asked for log-probabilities. */
  public boolean logprobs() {
    return request.wantsLogprobs();
  }
}
