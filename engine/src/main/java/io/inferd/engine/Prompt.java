package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A conversation rendered through the model's chat template, with its size in the model's tokens,
 * so callers can check it against the context before they queue it. The conversation itself rides
 * along for engines that render remotely.
 */
public record Prompt(String text, int tokenCount, List<Turn> conversation) {
  public Prompt {
    requireNonNull(text, "text");
    conversation = List.copyOf(requireNonNull(conversation, "conversation"));
    if (tokenCount < 0) {
      throw new IllegalArgumentException("tokenCount: " + tokenCount + " (expected: >= 0)");
    }
  }

  public Prompt(String text, int tokenCount) {
    this(text, tokenCount, List.of());
  }
}
