package io.inferd.app.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A server's leak indicators, from /proc, jcmd and its /metrics. */
record Indicators(
    long heapAfterGcBytes, long threads, long openFiles, long busySlots, long queued) {

  /** Threads, open files and heap after a full GC of process {@code pid}, its slots and queue. */
  static Indicators of(long pid, int metricsPort) throws Exception {
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

  @Override
  public String toString() {
    return "heap_after_gc=%.1fMB threads=%d open_files=%d busy_slots=%d queued=%d"
        .formatted(heapAfterGcBytes / 1e6, threads, openFiles, busySlots, queued);
  }
}
