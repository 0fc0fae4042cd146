package io.inferd.server.core;

/**
 * Error messages quote what the client sent ("model 'x' not found"); a client that sends a 1 MiB
 * model name must not get it back in a status or a log line. Messages are cut to a bounded length.
 */
public final class Echoes {
  /** Characters of a message kept; far more than any message of this server's own needs. */
  public static final int MAX_CHARS = 1024;

  private Echoes() {}

  /** {@code message} itself if short, else its start and how long it was; null stays null. */
  public static String bounded(String message) {
    if (message == null || message.length() <= MAX_CHARS) {
      return message;
    }
    return message.substring(0, MAX_CHARS) + "… (" + message.length() + " characters, cut)";
  }
}
