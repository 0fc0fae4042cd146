package io.inferd.engine;

import java.util.Locale;

/** Why a generation ended. */
public enum FinishReason {
  /** The model ended its answer (end-of-generation token or stop string). */
  STOP,
  /** {@code maxTokens} were generated. */
  LENGTH,
  /**
   * The reply is one or more tool calls. Engines do not return it: the server's core says so when
   * it found calls in the text.
   */
  TOOL_CALLS,
  /**
   * The token sink asked to stop (client gone, deadline passed, shutdown); never sent to a client.
   */
  CANCELLED;

  private final String wireName = name().toLowerCase(Locale.ROOT); // every answer carries one

  /** The OpenAI-style name: "stop", "length", "tool_calls". */
  public String wireName() {
    return wireName;
  }
}
