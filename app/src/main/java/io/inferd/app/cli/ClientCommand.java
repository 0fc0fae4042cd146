package io.inferd.app.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.client.InferenceClient;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the verbs share: connecting, and turning failures into one {@code error: ...} line and an
 * exit code (1: the call failed, 2: bad input), since the top command belongs to another module.
 */
abstract class ClientCommand implements Callable<Integer> {
  /**
   * grpc-java logs a failed name lookup as a WARN line of its own; the error line says it better.
   * (A strong reference: java.util.logging forgets the level of a logger nobody holds.)
   */
  private static final java.util.logging.Logger CHANNEL_LOG =
      java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl");

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(
      names = {"-h", "--help"},
      order = 31,
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Spec CommandSpec spec;

  private InputStream stdin = System.in;
  private Boolean interactive;

  /** Does the verb's work; returns the exit code. */
  abstract int run(InferenceClient client) throws IOException, InterruptedException;

  /** The deadline when --deadline is not given. */
  Duration defaultDeadline() {
    return InferenceClient.DEFAULT_DEADLINE;
  }

  @Override
  public final Integer call() {
    if (!connection.verbose()) {
      CHANNEL_LOG.setLevel(java.util.logging.Level.SEVERE);
    }
    try (InferenceClient client = connection.connect(defaultDeadline(), err())) {
      return run(client);
    } catch (StatusRuntimeException e) {
      String message =
          ConnectionFailures.explain(e.getStatus(), connection.target())
              .orElseGet(() -> describe(e.getStatus()));
      return fail(ExitCode.SOFTWARE, message, e);
    } catch (UsageException | IllegalArgumentException e) {
      return fail(ExitCode.USAGE, e.getMessage(), e);
    } catch (IOException | UncheckedIOException e) {
      return fail(ExitCode.SOFTWARE, "cannot read input: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitCode.SOFTWARE, "interrupted", e);
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  BufferedReader stdin() {
    return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
  }

  /** Whether a person types the input, so prompts make sense. */
  boolean interactive() {
    if (interactive == null) {
      interactive = isTerminal(System.console());
    }
    return interactive;
  }

  /** Test hook: read {@code in} instead of System.in. */
  void readFrom(InputStream in, boolean interactive) {
    this.stdin = in;
    this.interactive = interactive;
  }

  /** Test hook: see {@link ConnectionOptions#useChannel}. */
  ConnectionOptions connection() {
    return connection;
  }

  private int fail(int exitCode, String message, Exception e) {
    out().flush();
    err().println("error: " + message);
    if (connection.verbose()) {
      e.printStackTrace(err()); // asked for with --verbose
    }
    err().flush();
    return exitCode;
  }

  static String describe(Status status) {
    var text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      text.append(" (").append(status.getCause().getMessage()).append(')');
    }
    return text.toString();
  }

  private static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    // From JDK 22 a Console may exist for redirected streams; isTerminal() (JDK 22+) tells.
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a Console exists only for a terminal
    }
  }

  /** Bad input found after parsing, e.g. nothing to embed. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
