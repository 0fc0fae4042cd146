package io.inferd.bench;

import io.inferd.bench.load.GhzSuite;
import io.inferd.bench.load.ModelSuite;
import io.inferd.bench.load.ProtocolSuite;
import io.inferd.bench.load.StreamsSuite;
import io.inferd.bench.peers.PeersConfig;
import io.inferd.bench.peers.PeersMain;
import io.inferd.bench.report.ReportWriter;
import io.inferd.bench.report.Results;
import io.inferd.bench.serialization.SerializationSuite;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./bench.sh}: runs the phases (serialization, protocol, ghz, model, streams) and writes the
 * report after each one, so a failure late in a run still leaves the figures gathered so far.
 */
@Command(
    name = "bench.sh",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the source document's performance claims on inferd and writes REPORT.md, charts,"
          + " README-section.md and results.json.",
      "Full mode (default) writes docs/bench/; --quick (a smoke run under 3 minutes) writes"
          + " bench/target/bench-quick/ unless --out says otherwise."
    })
public final class BenchMain implements Callable<Integer> {
  static final List<String> PHASES =
      List.of("serialization", "protocol", "ghz", "model", "streams", "peers");

  @Option(
      names = "--quick",
      description = "Tiny durations, fewer levels and streams: for CI smoke runs.")
  boolean quick;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Where the report goes (default: docs/bench, or bench/target/bench-quick with --quick).")
  Path out;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "PHASE",
      description =
          "Run only these phases (serialization, protocol, ghz, model, streams, peers), keeping the"
              + " other phases' results from the existing results.json.")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--report-only",
      description = "Re-render the report from the existing results.json; measure nothing.")
  boolean reportOnly;

  @Option(
      names = "--access-log",
      description = "Keep the servers' per-call access log on (it is off by default).")
  boolean accessLog;

  @Option(
      names = "--model",
      paramLabel = "GGUF",
      description = "Real model for the model phase (default: ../shared/models/stories260K.gguf).")
  Path model;

  @Option(
      names = "--streams",
      description = "Concurrent streams to try (default: 10000, or 300 with --quick).")
  Integer streams;

  @Option(names = "--home", hidden = true, defaultValue = "${sys:inferd.home:-.}")
  Path home;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    int code =
        new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    home = home.toAbsolutePath().normalize();
    BenchConfig config = quick ? BenchConfig.quick() : BenchConfig.full();
    if (streams != null) {
      config = withStreams(config, streams);
    }
    Path dir =
        (out != null
                ? out
                : quick ? home.resolve("bench/target/bench-quick") : home.resolve("docs/bench"))
            .toAbsolutePath();
    Path work = home.resolve("bench/target/bench-run-" + config.mode());
    Files.createDirectories(dir);
    Files.createDirectories(work.resolve("logs"));
    Path resultsFile = dir.resolve("results.json");

    if (reportOnly) {
      ReportWriter.write(Results.read(resultsFile), dir);
      System.out.println("report: " + dir.resolve("REPORT.md"));
      return 0;
    }
    for (String phase : only) {
      if (!PHASES.contains(phase)) {
        System.err.println(
            "--only: unknown phase '" + phase + "' (expected: " + String.join(", ", PHASES) + ")");
        return 2;
      }
    }
    Set<String> phases = new LinkedHashSet<>(only.isEmpty() ? PHASES : only);
    Results results =
        !only.isEmpty() && Files.exists(resultsFile) ? Results.read(resultsFile) : new Results();
    long started = System.nanoTime();
    String now =
        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                Instant.now().atOffset(ZoneOffset.UTC).withNano(0))
            + "Z";
    String startedAt =
        only.isEmpty() || results.environment == null
            ? now
            : partialRunStartedAt(now, only, results.environment.startedAt());
    String loadBefore = loadAverage();
    BenchConfig cfg = config;
    ProtocolSuite.Progress save =
        () -> {
          results.environment = environment(cfg, startedAt, started, loadBefore);
          results.write(resultsFile);
          ReportWriter.write(results, dir);
        };
    System.out.printf(
        "inferd bench (%s): %s%nreport → %s%n", config.mode(), config.describe(), dir);
    boolean failed = false;
    for (String phase : phases) {
      System.out.println("== " + phase);
      long phaseStart = System.nanoTime();
      try {
        switch (phase) {
          case "serialization" -> {
            results.serialization = SerializationSuite.run(config, work.resolve("jmh.log"));
          }
          case "protocol" -> {
            results.protocol.clear();
            results.wire.clear();
            ProtocolSuite.run(config, work, accessLog, results, save);
          }
          case "ghz" -> {
            results.ghz.clear();
            results.transport.clear(); // measured in the same phase: a rerun replaces them too
            results.transportWarmups.clear();
            Optional<Path> ghz = GhzSuite.find(home);
            if (ghz.isEmpty()) {
              results.ghzNote =
                  "skipped: ghz not found in .tools/go/bin or on the PATH (./bench.sh installs it"
                      + " in full mode when Go is available)";
              System.out.println("  " + results.ghzNote);
            } else {
              results.ghzNote = ghzVersion(ghz.get());
              GhzSuite.run(config, work, home, ghz.get(), accessLog, results, save);
            }
          }
          case "model" -> {
            results.model.clear();
            ModelSuite.run(
                config,
                work,
                model != null ? model : ModelSuite.defaultModel(home),
                accessLog,
                results,
                save);
          }
          case "streams" -> {
            results.streams.clear();
            StreamsSuite.run(config, work, accessLog, results, save);
          }
          case "peers" -> {
            // inferd beside llama.cpp (issue 12); its own peers.json and PEERS.md
            Path llama = PeersMain.envLlamaDir();
            if (llama == null) {
              System.out.println("  skipped: INFERD_LLAMA_DIR is not set (./bench.sh sets it)");
            } else if (quick && only.isEmpty()) {
              System.out.println("  skipped: --quick runs it only with --only peers");
            } else {
              PeersMain.run(
                  quick ? PeersConfig.quick() : PeersConfig.full(), llama, null, home, dir);
            }
          }
          default -> throw new IllegalStateException(phase);
        }
      } catch (Exception e) {
        failed = true;
        String note = "phase " + phase + " failed: " + e;
        results.notes.add(note);
        System.err.println(note);
        e.printStackTrace(System.err);
      }
      double phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
      results.phaseSeconds.put(phase, phaseSeconds);
      System.out.printf("   (%s: %.0f s)%n", phase, phaseSeconds);
      save.save();
    }
    save.save();
    System.out.printf(
        "done in %.1f min: %s%n", (System.nanoTime() - started) / 60e9, dir.resolve("REPORT.md"));
    return failed ? 1 : 0;
  }

  private static BenchConfig withStreams(BenchConfig c, int streams) {
    return new BenchConfig(
        c.mode(),
        c.concurrency(),
        c.blockWarmup(),
        c.levelWarmup(),
        c.measure(),
        c.rounds(),
        c.memoryMeasure(),
        c.memoryScenarios(),
        c.wireUnaryCalls(),
        c.wireStreamCalls(),
        c.wireEmbedCalls(),
        c.ghzConcurrency(),
        c.ghzMeasure(),
        c.ghzRounds(),
        c.ghzWarmupCap(),
        c.modelConcurrency(),
        c.modelMeasure(),
        streams,
        c.streamsTokenInterval(),
        c.streamsOpenTimeout(),
        c.jmhForked(),
        c.jmhWarmupIterations(),
        c.jmhWarmupTime(),
        c.jmhIterations(),
        c.jmhIterationTime(),
        c.serverHeap());
  }

  private Results.Environment environment(
      BenchConfig config, String startedAt, long started, String loadBefore) {
    return new Results.Environment(
        config.mode(),
        startedAt,
        (System.nanoTime() - started) / 60e9,
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.vendor")
            + ")",
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        String.join(" ", JvmFlags.server(config.serverHeap())),
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
            .replaceAll("-Dinferd.home=\\S+ ?", "")
            .trim(),
        config.describe() + (accessLog ? "; access log ON" : "; access log off"),
        loadBefore,
        loadAverage(),
        openFilesLimit());
  }

  private static String ghzVersion(Path ghz) {
    String pinned = System.getenv("BENCH_GHZ_VERSION"); // go install builds report "dev"
    try {
      Process p = new ProcessBuilder(ghz.toString(), "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      if ((version.isEmpty() || version.equals("dev")) && pinned != null) {
        return pinned;
      }
      return version;
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  private static final Pattern PARTIAL_RUN =
      Pattern.compile("(\\S+) \\(--only ([^;]+); the other phases from the run started ([^)]+)\\)");

  /**
   * A partial run's start, with the phases it measured and when the others were: the previous run,
   * or, when that was itself a partial run of no phase outside this one's, the run its other phases
   * came from (so two {@code --only ghz} runs in a row still name the full run).
   */
  static String partialRunStartedAt(String now, List<String> only, String previousStartedAt) {
    String others = previousStartedAt;
    Matcher previous = PARTIAL_RUN.matcher(previousStartedAt);
    if (previous.matches() && only.containsAll(List.of(previous.group(2).split(",")))) {
      others = previous.group(3);
    }
    return now
        + " (--only "
        + String.join(",", only)
        + "; the other phases from the run started "
        + others
        + ")";
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " / " + parts[1] + " / " + parts[2] + " (1/5/15 min)";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown CPU";
  }

  private static long openFilesLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return -1;
  }
}
