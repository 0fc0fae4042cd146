package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.inferd.app.process.ServerProcess;
import io.inferd.bench.JvmFlags;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code BenchServer} in a JVM of its own, with a fixed heap: started, asked for its figures over
 * the control port, and stopped. Its stderr goes to a log file next to the results.
 */
public final class ServerUnderTest implements AutoCloseable {
  private static final JsonMapper JSON = new JsonMapper();

  private static final Pattern READY = Pattern.compile("^bench-server ready:.*");

  private final ServerProcess process;
  private final Map<String, String> ready;
  private final HttpClient control = HttpClient.newHttpClient();

  private ServerUnderTest(ServerProcess process, Map<String, String> ready) {
    this.process = process;
    this.ready = ready;
  }

  /**
   * Starts a server with {@code args} (BenchServer options) and waits for its ready line.
   *
   * @param log where its stdout and stderr go
   */
  public static ServerUnderTest start(String heap, boolean accessLog, Path log, List<String> args)
      throws IOException {
    return start(List.of(), heap, accessLog, log, args);
  }

  /**
   * As {@link #start(String, boolean, Path, List)}, with {@code wrapper} (e.g. prlimit …) in front.
   */
  public static ServerUnderTest start(
      List<String> wrapper, String heap, boolean accessLog, Path log, List<String> args)
      throws IOException {
    return start(wrapper, heap, accessLog, log, "io.inferd.bench.server.BenchServer", args);
  }

  /**
   * The bare grpc-java server ({@code BareGrpcServer}): the floor under inferd's transport cost.
   */
  public static ServerUnderTest startBare(String heap, Path log, List<String> args)
      throws IOException {
    return start(List.of(), heap, false, log, "io.inferd.bench.server.BareGrpcServer", args);
  }

  private static ServerUnderTest start(
      List<String> wrapper,
      String heap,
      boolean accessLog,
      Path log,
      String mainClass,
      List<String> args)
      throws IOException {
    List<String> jvm = new ArrayList<>(JvmFlags.server(heap));
    jvm.add("-Dlogback.configurationFile=bench-logback.xml");
    jvm.add("-Dinferd.bench.access=" + (accessLog ? "INFO" : "WARN"));
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(ServerProcess.java(jvm, mainClass, args));
    ServerProcess process = ServerProcess.start(command, log, READY);
    return new ServerUnderTest(process, parseReady(process.ready().group()));
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
    return process.command();
  }

  public boolean alive() {
    return process.alive();
  }

  /** CPU time of the server process so far, from /proc. */
  public long cpuNanos() {
    return ProcStats.cpuNanos(pid());
  }

  /** The part of {@link #cpuNanos} its JIT compiler threads spent. */
  public long jitCpuNanos() {
    return ProcStats.jitCpuNanos(pid());
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
    process.close();
  }
}
