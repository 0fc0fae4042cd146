package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/** One message of a conversation. */
public record Turn(Role role, String content) {
  public Turn {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
  }

  public static Turn system(String content) {
    return new Turn(Role.SYSTEM, content);
  }

  public static Turn user(String content) {
    return new Turn(Role.USER, content);
  }

  public static Turn assistant(String content) {
    return new Turn(Role.ASSISTANT, content);
  }
}
