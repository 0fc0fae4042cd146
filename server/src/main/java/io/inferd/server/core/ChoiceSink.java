package io.inferd.server.core;

import io.inferd.engine.GeneratedToken;
import java.util.List;

/** Receives the text of the choices of one completion as the core releases it. */
@FunctionalInterface
public interface ChoiceSink {
  /**
   * Text of choice {@code index} that may go to the client now (possibly empty), and the tokens
   * whose log-probabilities go with it (empty unless the request asked for them). Calls for one
   * choice come in order from one thread at a time; calls for different choices may come from
   * different threads at once. Returning {@code false} stops that choice's generation.
   */
  boolean onPiece(int index, String text, List<GeneratedToken> tokens);
}
