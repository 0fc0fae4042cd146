package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one generation: the whole text, real token counts and why it ended. {@code text}
 * is exactly the pieces the engine gave its {@link TokenSink}, joined in order (the core answers
 * with it as it is when it held nothing back).
 */
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
