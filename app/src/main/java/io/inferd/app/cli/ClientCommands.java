package io.inferd.app.cli;

import java.util.List;

/** The client verbs, for a top-level command to add with {@code CommandLine.addSubcommand(cls)}. */
public final class ClientCommands {
  private ClientCommands() {}

  public static List<Class<?>> all() {
    return List.of(
        CompleteCommand.class, StreamCommand.class, EmbedCommand.class, ChatCommand.class);
  }
}
