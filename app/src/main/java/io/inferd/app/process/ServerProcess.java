package io.inferd.app.process;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in a child process: started, waited for (a ready line on its stdout, or a check of the
 * caller's), and stopped with SIGTERM before SIGKILL.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final List<String> command;
  private final MatchResult ready;

  private ServerProcess(Process process, List<String> command, MatchResult ready) {
    this.process = process;
    this.command = command;
    this.ready = ready;
  }

  /**
   * The command line of a JVM like this one (its java, its class path, its llama.cpp build) that
   * runs {@code mainClass} with {@code jvmFlags} and {@code args}.
   */
  public static List<String> java(List<String> jvmFlags, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    String llamaDir = System.getProperty("inferd.llama.dir", System.getenv("INFERD_LLAMA_DIR"));
    if (llamaDir != null) {
      command.add("-Dinferd.llama.dir=" + llamaDir);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /**
   * Starts {@code command} with its stderr in {@code log} and waits up to two minutes for a stdout
   * line in which {@code readyLine} finds a match; the rest of stdout is read and dropped, so the
   * server never blocks on a full pipe.
   *
   * @throws IOException when it exits or stays silent first (it is killed then)
   */
  public static ServerProcess start(List<String> command, Path log, Pattern readyLine)
      throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    var ready = new CompletableFuture<MatchResult>();
    // A platform thread: a virtual one blocked in the pipe's native read pins its carrier, and two
    // servers' readers took both carriers of a 2-core machine from the load generator's threads.
    Thread.ofPlatform()
        .daemon()
        .name("stdout-of-" + process.pid())
        .start(() -> readLines(process, readyLine, ready));
    try {
      return new ServerProcess(
          process, command, ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("the server did not start; see " + log, e);
    }
  }

  /** Starts {@code builder} as it is; whether the server is ready is for the caller to check. */
  public static ServerProcess start(ProcessBuilder builder) throws IOException {
    return new ServerProcess(builder.start(), List.copyOf(builder.command()), null);
  }

  private static void readLines(
      Process process, Pattern readyLine, CompletableFuture<MatchResult> ready) {
    try (var lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        Matcher m = readyLine.matcher(line);
        if (!ready.isDone() && m.find()) {
          ready.complete(m.toMatchResult());
        }
      }
      ready.completeExceptionally(new IOException("the server exited before it was ready"));
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
  }

  /** The ready line's match, with its groups; null when started without one. */
  public MatchResult ready() {
    return ready;
  }

  public long pid() {
    return process.pid();
  }

  public List<String> command() {
    return command;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Its exit code; only once it has exited. */
  public int exitValue() {
    return process.exitValue();
  }

  /** SIGTERM, then its exit code, or -1 when it had to be killed after {@code grace}. */
  public int stop(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    process.destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  @Override
  public void close() {
    try {
      stop(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
