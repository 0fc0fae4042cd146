package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import java.util.List;

/** The choices of one completion, in index order, with usage for all of them. */
public record Completion(List<Choice> choices) {
  public Completion {
    choices = List.copyOf(requireNonNull(choices, "choices"));
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("choices: none (expected: at least one)");
    }
  }

  /** One choice: its text and finish reason, and its tokens' log-probabilities when asked for. */
  public record Choice(int index, Generation generation, List<GeneratedToken> logprobs) {
    public Choice {
      requireNonNull(generation, "generation");
      logprobs = List.copyOf(requireNonNull(logprobs, "logprobs"));
    }
  }

  /** Every choice shares one prompt, counted once (as OpenAI counts it). */
  public int promptTokens() {
    return choices.getFirst().generation().promptTokens();
  }

  public int completionTokens() {
    return choices.stream().mapToInt(c -> c.generation().completionTokens()).sum();
  }

  /** The first choice, the only one unless n was asked for. */
  public Generation first() {
    return choices.getFirst().generation();
  }
}
