package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/** What to generate: the rendered prompt, at most {@code maxTokens} new tokens, and how to sample. */
public record GenerationRequest(Prompt prompt, int maxTokens, Sampling sampling) {
  public GenerationRequest {
    requireNonNull(prompt, "prompt");
    requireNonNull(sampling, "sampling");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
    }
  }
}
