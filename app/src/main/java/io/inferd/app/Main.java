package io.inferd.app;

import io.inferd.app.cli.ClientCommands;
import io.inferd.app.soak.SoakCommand;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code inferd} command: {@code serve}, and the client verbs of the inferd-client module. */
@Command(
    name = "inferd",
    mixinStandardHelpOptions = true,
    version = "inferd 0.1.0",
    description =
        "A gRPC AI inference server (ai.inference.v1) on in-process GGUF and ONNX models.",
    subcommands = {
      ServeCommand.class,
      SoakCommand.class,
      io.inferd.app.models.PullCommand.class,
      io.inferd.app.models.ModelsCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger(); // Helidon's java.util.logging → Logback
    SLF4JBridgeHandler.install();
    // Exit explicitly: a loaded llama.cpp model leaves a non-daemon native thread behind.
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    for (Class<?> verb : ClientCommands.all()) {
      commandLine.addSubcommand(verb);
    }
    return commandLine;
  }

  /** Bare {@code inferd}: the usage of the command as built, client verbs included. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
