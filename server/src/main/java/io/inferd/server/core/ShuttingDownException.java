package io.inferd.server.core;

/** Work arrived while the server is stopping. */
public final class ShuttingDownException extends RuntimeException {
  public ShuttingDownException() {
    super("server is shutting down; retry on another replica or after restart");
  }
}
