package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * What to generate: the rendered prompt, at most {@code maxTokens} new tokens, how to sample, when
 * the caller stops waiting ({@link System#nanoTime()} based, so engines that call other services
 * can hand the remaining time on), and how many log-probability alternatives to report per token
 * ({@code -1}: none; {@code 0}: only the chosen token's).
 */
public record GenerationRequest(
    Prompt prompt,
    int maxTokens,
    Sampling sampling,
    OptionalLong deadlineNanoTime,
    int topLogprobs) {
  /** OpenAI's limit on {@code top_logprobs}. */
  public static final int MAX_TOP_LOGPROBS = 20;

  public GenerationRequest {
    requireNonNull(prompt, "prompt");
    requireNonNull(sampling, "sampling");
    requireNonNull(deadlineNanoTime, "deadlineNanoTime");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
    }
    if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
      throw new IllegalArgumentException(
          "top_logprobs: " + topLogprobs + " (expected: 0 to " + MAX_TOP_LOGPROBS + ")");
    }
  }

  public GenerationRequest(
      Prompt prompt, int maxTokens, Sampling sampling, OptionalLong deadlineNanoTime) {
    this(prompt, maxTokens, sampling, deadlineNanoTime, -1);
  }

  /** A request without a deadline. */
  public GenerationRequest(Prompt prompt, int maxTokens, Sampling sampling) {
    this(prompt, maxTokens, sampling, OptionalLong.empty(), -1);
  }

  public boolean wantsLogprobs() {
    return topLogprobs >= 0;
  }
}
