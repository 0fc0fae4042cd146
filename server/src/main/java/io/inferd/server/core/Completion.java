package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import java.util.List;

/**
 * The choices of one completion, in index order, with usage for all of them; {@code promptTokens}
 * counts each prompt once (n choices of one prompt share it, as OpenAI counts them).
 */
public record Completion(List<Choice> choices, int promptTokens) {
  public Completion {
    choices = List.copyOf(requireNonNull(choices, "choices"));
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("choices: none (expected: at least one)");
    }
  }

  /** The choices of one prompt. */
  public Completion(List<Choice> choices) {
    this(choices, choices.getFirst().generation().promptTokens());
  }

  /** One choice: its text and finish reason, and its tokens' log-probabilities when asked for. */
  public record Choice(int index, Generation generation, List<GeneratedToken> logprobs) {
    public Choice {
      requireNonNull(generation, "generation");
      logprobs = List.copyOf(requireNonNull(logprobs, "logprobs"));
    }
  }

  public int completionTokens() {
    return choices.stream().mapToInt(c -> c.generation().completionTokens()).sum();
  }

  /** The first choice, the only one unless n was asked for. */
  public Generation first() {
    return choices.getFirst().generation();
  }
}
