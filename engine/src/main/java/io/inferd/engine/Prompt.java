package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/**
 * A conversation rendered through the model's chat template, with its size in the model's tokens, so
 * callers can check it against the context before they queue it.
 */
public record Prompt(String text, int tokenCount) {
  public Prompt {
    requireNonNull(text, "text");
    if (tokenCount < 0) {
      throw new IllegalArgumentException("tokenCount: " + tokenCount + " (expected: >= 0)");
    }
  }
}
