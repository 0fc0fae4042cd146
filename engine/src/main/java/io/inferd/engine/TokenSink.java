package io.inferd.engine;

/** Receives generated text piece by piece. */
@FunctionalInterface
public interface TokenSink {
  /**
   * Called once per generated token with its text (which may be empty for a token that ends inside
   * a multi-byte character; the last token carries such a character's rest as U+FFFD), and once
   * more only when an end-of-generation token follows half a character. Returning {@code false}
   * stops generation before the next token is decoded.
   */
  boolean onToken(String text);

  /**
   * The same call with everything the engine knows about the token; engines call this one. Override
   * it to receive token ids and log-probabilities.
   */
  default boolean onToken(GeneratedToken token) {
    return onToken(token.text());
  }
}
