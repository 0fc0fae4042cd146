package io.inferd.app.cli;

import io.grpc.ManagedChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Runs the client verbs under a test top command, over test channels (each run's client builds and
 * closes its own, as in production), with captured output.
 */
final class Cli {
  record Result(int exitCode, String out, String err) {}

  private final Supplier<ManagedChannelBuilder<?>> channels;

  Cli(Supplier<ManagedChannelBuilder<?>> channels) {
    this.channels = channels;
  }

  Result run(String... args) {
    return runWithInput("", args);
  }

  Result runWithInput(String stdin, String... args) {
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            K object = CommandLine.defaultFactory().create(cls);
            if (object instanceof ClientCommand command) {
              command.connection().useChannel(channels.get());
              command.readFrom(in, false);
            }
            return object;
          }
        };
    CommandLine cli = commandLine(factory);
    var out = new StringWriter();
    var err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  /** The verbs added the way the module owning the top command adds them. */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    var cli = new CommandLine(new InferdTestTopCommand(), factory);
    ClientCommands.all().forEach(cli::addSubcommand);
    return cli;
  }
}
