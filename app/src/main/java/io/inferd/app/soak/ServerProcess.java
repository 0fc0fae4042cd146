package io.inferd.app.soak;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code inferd serve} as a child process, so the soak measures a real server and not its own
 * client: ports from its ready line, leak indicators from /proc, jcmd and /metrics.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile(
          "grpc=127\\.0\\.0\\.1:(\\d+) http=127\\.0\\.0\\.1:(\\d+) metrics=127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  final int grpcPort;
  final int httpPort;
  final int metricsPort;

  private ServerProcess(Process process, int grpcPort, int httpPort, int metricsPort) {
    this.process = process;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
  }

  static ServerProcess start(List<String> serveArguments, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx1g");
    String llamaDir = System.getProperty("inferd.llama.dir");
    if (llamaDir != null) {
      command.add("-Dinferd.llama.dir=" + llamaDir);
    }
    command.add("-Dinferd.home=" + System.getProperty("inferd.home", "."));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.inferd.app.Main");
    command.add("serve");
    command.addAll(
        List.of("--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--metrics-port", "0"));
    command.addAll(serveArguments);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    var ports = new CompletableFuture<int[]>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (var lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ports.complete(
                        new int[] {
                          Integer.parseInt(m.group(1)),
                          Integer.parseInt(m.group(2)),
                          Integer.parseInt(m.group(3))
                        });
                  }
                }
                ports.completeExceptionally(
                    new IllegalStateException("server exited before it was ready; see " + log));
              } catch (IOException e) {
                ports.completeExceptionally(e);
              }
            });
    int[] p = ports.get(120, TimeUnit.SECONDS);
    return new ServerProcess(process, p[0], p[1], p[2]);
  }

  /** Threads, open files and heap after a full GC of the server, and its busy slots and queue. */
  Indicators indicators() throws Exception {
    long pid = process.pid();
    jcmd(pid, "GC.run");
    Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
    long heap = used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    long threads;
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      threads = tasks.count();
    }
    long files;
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      files = fds.count();
    }
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return new Indicators(
        heap,
        threads,
        files,
        gauge(metrics, "inferd_slots_busy"),
        gauge(metrics, "inferd_queue_depth"));
  }

  private static long gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.]+)").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private static String jcmd(long pid, String what) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), what)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /** SIGTERM, then the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  record Indicators(
      long heapAfterGcBytes, long threads, long openFiles, long busySlots, long queued) {
    @Override
    public String toString() {
      return "heap_after_gc=%.1fMB threads=%d open_files=%d busy_slots=%d queued=%d"
          .formatted(heapAfterGcBytes / 1e6, threads, openFiles, busySlots, queued);
    }
  }
}
