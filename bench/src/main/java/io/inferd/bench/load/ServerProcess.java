package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.inferd.bench.JvmFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code BenchServer} in a JVM of its own, with a fixed heap: started, asked for its figures over
 * the control port, and stopped. Its stderr goes to a log file next to the results.
 */
public final class ServerProcess implements AutoCloseable {
  private static final JsonMapper JSON = new JsonMapper();

  private final Process process;
  private final Map<String, String> ready;
  private final HttpClient control = HttpClient.newHttpClient();
  private final List<String> command;

  private ServerProcess(Process process, Map<String, String> ready, List<String> command) {
    this.process = process;
    this.ready = ready;
    this.command = command;
  }

  /**
   * Starts a server with {@code args} (BenchServer options) and waits for its ready line.
   *
   * @param log where its stdout and stderr go
   */
  public static ServerProcess start(String heap, boolean accessLog, Path log, List<String> args)
      throws IOException {
    return start(List.of(), heap, accessLog, log, args);
  }

  /**
   * As {@link #start(String, boolean, Path, List)}, with {@code wrapper} (e.g. prlimit …) in front.
   */
  public static ServerProcess start(
      List<String> wrapper, String heap, boolean accessLog, Path log, List<String> args)
      throws IOException {
    return start(wrapper, heap, accessLog, log, "io.inferd.bench.server.BenchServer", args);
  }

  /**
   * The bare grpc-java server ({@code BareGrpcServer}): the floor under inferd's transport cost.
   */
  public static ServerProcess startBare(String heap, Path log) throws IOException {
    return start(List.of(), heap, false, log, "io.inferd.bench.server.BareGrpcServer", List.of());
  }

  private static ServerProcess start(
      List<String> wrapper,
      String heap,
      boolean accessLog,
      Path log,
      String mainClass,
      List<String> args)
      throws IOException {
    Files.createDirectories(log.getParent());
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(wrapper);
    command.add(java);
    command.addAll(JvmFlags.server(heap));
    command.add("-Dlogback.configurationFile=bench-logback.xml");
    command.add("-Dinferd.bench.access=" + (accessLog ? "INFO" : "WARN"));
    String llamaDir = System.getProperty("inferd.llama.dir", System.getenv("INFERD_LLAMA_DIR"));
    if (llamaDir != null) {
      command.add("-Dinferd.llama.dir=" + llamaDir);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Map<String, String>> readyLine =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("bench-server ready:")) {
                    return parseReady(line);
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    Map<String, String> ready;
    try {
      ready = readyLine.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      ready = null;
    }
    if (ready == null) {
      process.destroyForcibly();
      throw new IOException("bench server did not start; see " + log);
    }
    // Keep draining stdout (java-llama.cpp prints there) so the server never blocks on a full pipe.
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // the server exited
              }
            });
    return new ServerProcess(process, ready, command);
  }

  static Map<String, String> parseReady(String line) {
    Map<String, String> values = new HashMap<>();
    for (String part : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        values.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return values;
  }

  public long pid() {
    return Long.parseLong(ready.get("pid"));
  }

  public int grpcPort() {
    return Integer.parseInt(ready.get("grpc"));
  }

  public int httpPort() {
    return Integer.parseInt(ready.get("http"));
  }

  public String models() {
    return ready.get("models");
  }

  public List<String> command() {
    return command;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** CPU time of the server process so far, from /proc. */
  public long cpuNanos() {
    return ProcStats.cpuNanos(pid());
  }

  /** The control endpoint's figures: heap, allocation, threads, RSS, open files. */
  public JsonNode stats() {
    return control("/stats");
  }

  /** Starts a new peak-heap window. */
  public JsonNode resetPeaks() {
    return control("/reset");
  }

  /** Full GC (twice), then the figures: the live heap. */
  public JsonNode gc() {
    return control("/gc");
  }

  private JsonNode control(String path) {
    try {
      HttpResponse<byte[]> response =
          control.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ready.get("control") + path))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("bench server control " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    control.close();
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
