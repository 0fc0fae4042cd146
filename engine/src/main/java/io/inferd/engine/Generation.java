package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/** The outcome of one generation: the whole text, real token counts and why it ended. */
public record Generation(
    String text, int promptTokens, int completionTokens, FinishReason finishReason) {
  public Generation {
    requireNonNull(text, "text");
    requireNonNull(finishReason, "finishReason");
  }

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
