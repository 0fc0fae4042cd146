package io.inferd.server.core;

import io.inferd.engine.InferenceException;

/** Work arrived while the server is stopping. */
public final class ShuttingDownException extends InferenceException {
  public ShuttingDownException() {
    super(
        Kind.UNAVAILABLE,
        "shutting_down",
        "server is shutting down; retry on another replica or after restart",
        -1,
        null);
  }
}
