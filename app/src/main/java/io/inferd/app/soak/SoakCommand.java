package io.inferd.app.soak;

import io.inferd.app.process.ServerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferd soak}: starts a server process, drives mixed load with random cancels and
 * deadlines, and compares leak indicators at the start and the end.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Soak test: run `inferd serve` under random load and fail when it leaks.",
      "It starts `inferd serve` as a child process, drives all four RPCs and the REST API with"
          + " random cancels and deadlines, and prints leak indicators (heap after GC, threads, open"
          + " files, busy slots) at the start and the end. Exits 1 when they grew beyond the"
          + " tolerances, when the server answered a status clients should never see (UNKNOWN,"
          + " INTERNAL, HTTP 500), or did not exit cleanly on SIGTERM."
    })
public final class SoakCommand implements Callable<Integer> {
  private static final Pattern READY =
      Pattern.compile(
          "grpc=127\\.0\\.0\\.1:(\\d+) http=127\\.0\\.0\\.1:(\\d+) metrics=127\\.0\\.0\\.1:(\\d+)");

  @Spec CommandSpec spec;

  @Option(
      names = "--duration",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "How long to drive load (default ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "8",
      description = "Concurrent client loops (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--model",
      paramLabel = "NAME=PATH.gguf",
      description = "Model for the server (default: as `inferd serve` picks it).")
  String model;

  @Mixin Tolerances tolerances = new Tolerances();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path log = Files.createTempFile("inferd-soak-server", ".log");
    out.println("soak: starting the server (log: " + log + ")");
    out.flush();
    try (ServerProcess server = startServer(log)) {
      int grpcPort = Integer.parseInt(server.ready().group(1));
      int httpPort = Integer.parseInt(server.ready().group(2));
      int metricsPort = Integer.parseInt(server.ready().group(3));
      SoakLoad load = new SoakLoad(grpcPort, httpPort);
      Duration warmUp = Duration.ofSeconds(Math.min(10, Math.max(2, durationSeconds / 10)));
      load.run(workers, warmUp, 1);
      Indicators start = Indicators.of(server.pid(), metricsPort);
      out.println("soak: start " + start);
      out.flush();
      load.run(workers, Duration.ofSeconds(durationSeconds), 42);
      Thread.sleep(1000); // let cancelled work unwind
      Indicators end = Indicators.of(server.pid(), metricsPort);
      out.println("soak: end   " + end);
      load.close();
      Map<String, Long> outcomes = new TreeMap<>();
      load.outcomes.forEach((k, v) -> outcomes.put(k, v.sum()));
      outcomes.forEach((k, v) -> out.printf("soak: %8d  %s%n", v, k));
      int exit = server.stop(Duration.ofSeconds(30));
      out.println("soak: server exit code after SIGTERM: " + exit);

      List<String> failures = tolerances.exceeded(start, end);
      if (end.busySlots() != 0 || end.queued() != 0) {
        failures.add("slots still busy or requests still queued at the end");
      }
      if (outcomes.getOrDefault("UNEXPECTED", 0L) > 0) {
        failures.add(outcomes.get("UNEXPECTED") + " calls got UNKNOWN/INTERNAL/500");
      }
      if (exit != 0) {
        failures.add("server exit code " + exit + " after SIGTERM");
      }
      out.println(failures.isEmpty() ? "soak: PASS" : "soak: FAIL: " + String.join("; ", failures));
      out.flush();
      return failures.isEmpty() ? 0 : 1;
    }
  }

  /** {@code inferd serve} on ephemeral ports of 127.0.0.1, with two slots and a short grace. */
  private ServerProcess startServer(Path log) throws IOException {
    List<String> serve = new ArrayList<>(List.of("serve"));
    serve.addAll(
        List.of("--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--metrics-port", "0"));
    serve.addAll(List.of("--parallel", "2", "--queue", "32", "--shutdown-grace", "5"));
    if (model != null) {
      serve.addAll(List.of("--model", model));
    }
    List<String> jvm =
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx1g",
            "-Dinferd.home=" + System.getProperty("inferd.home", "."));
    return ServerProcess.start(ServerProcess.java(jvm, "io.inferd.app.Main", serve), log, READY);
  }
}
