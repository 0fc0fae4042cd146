package io.inferd.engine;

import java.util.Locale;
import java.util.Optional;

/** Who said a turn of a conversation. */
public enum Role {
  SYSTEM,
  USER,
  ASSISTANT,
  /** The result of a tool call, answering an assistant turn's {@link Turn#toolCalls()}. */
  TOOL;

  private static final Role[] ALL = values(); // values() copies its array on every call

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used on the wire and in chat templates. */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name exactly ("user", not "User"), as OpenAI does. */
  public static Optional<Role> fromWireName(String name) {
    for (Role role : ALL) {
      if (role.wireName().equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
