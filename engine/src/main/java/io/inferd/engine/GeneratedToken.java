package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One generated token: its text (empty while a multi-byte character is incomplete), its id in the
 * model's vocabulary, and, when the request asked for them, its log-probability and the most likely
 * alternatives (as computed from the model's distribution before sampling, like OpenAI's {@code
 * logprobs}).
 */
public record GeneratedToken(String text, int id, float logprob, List<Alternative> topLogprobs) {
  public GeneratedToken {
    requireNonNull(text, "text");
    topLogprobs = List.copyOf(requireNonNull(topLogprobs, "topLogprobs"));
  }

  /**
   * A token without log-probabilities (the request did not ask for them, or the engine has none).
   */
  public static GeneratedToken of(String text, int id) {
    return new GeneratedToken(text, id, Float.NaN, List.of());
  }

  public boolean hasLogprob() {
    return !Float.isNaN(logprob);
  }

  /**
   * A candidate token at this position; {@code bytes} is its raw UTF-8 piece (may be part of a
   * character).
   */
  public record Alternative(String text, int id, float logprob, byte[] bytes) {
    public Alternative {
      requireNonNull(text, "text");
      requireNonNull(bytes, "bytes");
    }
  }
}
