package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * What to generate: the rendered prompt, at most {@code maxTokens} new tokens, how to sample, and
 * when the caller stops waiting ({@link System#nanoTime()} based), so engines that call other services
 * can hand the remaining time on.
 */
public record GenerationRequest(
    Prompt prompt, int maxTokens, Sampling sampling, OptionalLong deadlineNanoTime) {
  public GenerationRequest {
    requireNonNull(prompt, "prompt");
    requireNonNull(sampling, "sampling");
    requireNonNull(deadlineNanoTime, "deadlineNanoTime");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
    }
  }

  /** A request without a deadline. */
  public GenerationRequest(Prompt prompt, int maxTokens, Sampling sampling) {
    this(prompt, maxTokens, sampling, OptionalLong.empty());
  }
}
