package io.inferd.engine;

/** Receives generated text piece by piece, on the engine's thread. */
@FunctionalInterface
public interface TokenSink {
  /**
   * Called once per generated token with its text (which may be empty for a token that ends inside a
   * multi-byte character). Returning {@code false} stops generation before the next token is decoded.
   */
  boolean onToken(String text);
}
