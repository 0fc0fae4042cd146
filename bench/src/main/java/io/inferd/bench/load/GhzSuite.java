package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.util.JsonFormat;
import io.inferd.bench.BenchConfig;
import io.inferd.bench.report.Results;
import io.inferd.bench.report.SteadyRatio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The independent cross-check: ghz (Go, grpc-go) against the same server, scenario and concurrency
 * as inferd-bench's own gRPC generator, one after the other on one warm server JVM, both over one
 * HTTP/2 connection. Server CPU is read from /proc for both; ghz's own CPU from this JVM's
 * reaped-children time.
 */
public final class GhzSuite {
  private static final JsonMapper JSON = new JsonMapper();

  /** How the report names ghz's figures against inferd and against the bare server. */
  private static final String GHZ = "ghz (grpc-go)";

  private static final String BARE = "ghz → bare grpc-java";

  private GhzSuite() {}

  /** ghz in the project's tool directory, or on the PATH. */
  public static Optional<Path> find(Path home) {
    Path local = home.resolve(".tools/go/bin/ghz");
    if (Files.isExecutable(local)) {
      return Optional.of(local);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "ghz");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Tokens of the paced stream scenario come this far apart, on both servers. */
  static final Duration PACED_TOKEN_INTERVAL = Duration.ofMillis(1);

  public static void run(
      BenchConfig config,
      Path dir,
      Path home,
      Path ghz,
      boolean accessLog,
      Results results,
      ProtocolSuite.Progress progress)
      throws IOException, InterruptedException {
    var tool =
        new Ghz(
            ghz,
            home.resolve("proto/src/main/proto/ai/inference/v1/ai_service.proto"),
            config,
            dir);
    int maxLevel = config.ghzConcurrency().stream().mapToInt(Integer::intValue).max().orElse(16);
    List<String> serverArgs = ProtocolSuite.serverArgs(Math.max(64, 2 * maxLevel));
    int level = 0;
    try (ServerUnderTest server =
            ServerUnderTest.start(
                config.serverHeap(), accessLog, dir.resolve("logs/server-ghz.log"), serverArgs);
        ServerUnderTest bare =
            ServerUnderTest.startBare(
                config.serverHeap(), dir.resolve("logs/server-bare.log"), List.of())) {
      for (Scenario scenario : List.of(Scenario.UNARY, Scenario.STREAM)) {
        Work work = Work.bench(scenario);
        String name = scenario.name().toLowerCase();
        settle(name, server, bare, work, config, results);
        for (int concurrency : config.ghzConcurrency()) {
          System.out.printf("  %s, concurrency %d%n", scenario.label(), concurrency);
          Results.LevelRow own =
              LevelMeasurement.measure(
                  server,
                  Protocol.GRPC,
                  work,
                  ProtocolSuite.ENGINE,
                  concurrency,
                  config.levelWarmup(),
                  config.ghzMeasure());
          ProtocolSuite.print(own);
          tool.settle(name, work, concurrency, server, bare, results);
          var pair = tool.transportPoint(name, work, concurrency, level++, server, bare);
          results.transport.add(pair);
          results.ghz.add(
              new Results.GhzPair(
                  name,
                  concurrency,
                  new Results.GhzFigures(
                      "inferd-bench (grpc-java)",
                      own.calls(),
                      own.errors(),
                      own.callsPerSecond(),
                      own.latency().meanUs(),
                      own.latency().p50Us(),
                      own.latency().p90Us(),
                      own.latency().p99Us(),
                      own.serverCpuSecondsPer1000(),
                      own.clientCpuSecondsPer1000(),
                      0), // inferd-bench's own generator does not split off the JIT
                  pair.inferd()));
          progress.save();
        }
      }
    }
    // The same stream with its tokens paced as a model paces them: each token is then its own
    // write on both servers, where unpaced the bare server bursts 256 chunks into a few writes.
    List<String> paced =
        List.of("--token-interval-ms", Long.toString(PACED_TOKEN_INTERVAL.toMillis()));
    List<String> pacedServerArgs = new ArrayList<>(serverArgs);
    pacedServerArgs.addAll(paced);
    try (ServerUnderTest server =
            ServerUnderTest.start(
                config.serverHeap(),
                accessLog,
                dir.resolve("logs/server-ghz-paced.log"),
                pacedServerArgs);
        ServerUnderTest bare =
            ServerUnderTest.startBare(
                config.serverHeap(), dir.resolve("logs/server-bare-paced.log"), paced)) {
      Work work = Work.bench(Scenario.STREAM);
      settle(PACED_SCENARIO, server, bare, work, config, results);
      for (int concurrency : config.ghzConcurrency()) {
        if (concurrency < PACED_MIN_CONCURRENCY) {
          continue; // a few calls per round: too few CPU ticks to compare
        }
        System.out.printf(
            "  %s, tokens %d ms apart, concurrency %d%n",
            Scenario.STREAM.label(), PACED_TOKEN_INTERVAL.toMillis(), concurrency);
        tool.settle(PACED_SCENARIO, work, concurrency, server, bare, results);
        results.transport.add(
            tool.transportPoint(PACED_SCENARIO, work, concurrency, level++, server, bare));
        progress.save();
      }
    }
  }

  /** How the results name the paced stream scenario. */
  private static final String PACED_SCENARIO =
      "stream, " + PACED_TOKEN_INTERVAL.toMillis() + " ms/token";

  private static final int PACED_MIN_CONCURRENCY = 16;

  /**
   * Both servers loaded by inferd-bench's own client until their JIT settles, before its figures
   * and ghz's points: each point then settles them again under its own load.
   */
  private static void settle(
      String scenario,
      ServerUnderTest server,
      ServerUnderTest bare,
      Work work,
      BenchConfig c,
      Results results)
      throws IOException, InterruptedException {
    for (var named : List.of(Map.entry("inferd", server), Map.entry("bare", bare))) {
      print(
          JitSettling.settle(
              scenario, named.getKey(), named.getValue(), work, c.ghzMeasure(), c.ghzWarmupCap()),
          c);
    }
  }

  private static void print(Results.Warmup warmup, BenchConfig c) {
    System.out.printf(
        "  %s, %d callers: %s warmed %.0f s, JIT %.0f%% of its CPU in the last %s s%n",
        warmup.scenario(),
        warmup.callers(),
        warmup.server(),
        warmup.seconds(),
        100 * warmup.jitShare(),
        c.ghzMeasure().toMillis() / 1000.0);
  }

  private static void print(String label, Results.GhzFigures f) {
    System.out.printf(
        "    %-11s %,9.0f calls/s  avg %,9.1f µs  p50 %,9.1f  p99 %,9.1f  server %.3f"
            + " cpu-s/1000  errors %d%n",
        label,
        f.callsPerSecond(),
        f.meanUs(),
        f.p50Us(),
        f.p99Us(),
        f.serverCpuSecondsPer1000(),
        f.errors());
  }

  /** ghz, the proto it reads and where it writes, for one bench run. */
  private record Ghz(Path binary, Path proto, BenchConfig config, Path dir) {
    /**
     * inferd and the bare server at one point, in rounds of alternating order (bare first in every
     * other one), pooled: one 10 s point on 2 shared cores moved by 0.1-0.5× from run to run, and
     * short rounds taken in turn let a slower minute of the machine fall on both servers alike.
     */
    Results.TransportPair transportPoint(
        String scenario,
        Work work,
        int concurrency,
        int level,
        ServerUnderTest server,
        ServerUnderTest bare)
        throws IOException, InterruptedException {
      String method = method(work);
      String data = data(work);
      List<Round> ours = new ArrayList<>();
      List<Round> floors = new ArrayList<>();
      for (int round = 0; round < config.ghzRounds(); round++) {
        boolean bareFirst = (level + round) % 2 == 1;
        if (bareFirst) {
          floors.add(warmAndRun(method, data, concurrency, bare, BARE));
        }
        ours.add(warmAndRun(method, data, concurrency, server, GHZ));
        if (!bareFirst) {
          floors.add(warmAndRun(method, data, concurrency, bare, BARE));
        }
      }
      Results.GhzFigures theirs = Results.GhzFigures.pooled(Round.figures(ours));
      Results.GhzFigures floor = Results.GhzFigures.pooled(Round.figures(floors));
      print("ghz", theirs);
      print("ghz → bare", floor);
      List<Results.RoundPair> rounds = new ArrayList<>();
      for (int round = 0; round < ours.size(); round++) {
        Round our = ours.get(round);
        Round their = floors.get(round);
        rounds.add(
            Results.RoundPair.of(
                our.figures(), our.stealShare(), their.figures(), their.stealShare()));
      }
      var pair = new Results.TransportPair(scenario, concurrency, theirs, floor, rounds);
      SteadyRatio calls = pair.callsAtEqualSteal();
      SteadyRatio cpu = pair.cpuAtEqualSteal();
      System.out.printf(
          "    inferd ÷ bare grpc-java: %.2f× calls/s pooled (rounds %s), %.2f× ±%.2f at equal"
              + " steal; %.2f× server CPU per call pooled (rounds %s), %.2f× ±%.2f at equal steal;"
              + " host steal %.0f%% / %.0f%%%n",
          pair.callsRatio(),
          pair.callsRatioRange(),
          calls.ratio(),
          calls.standardError(),
          pair.cpuRatio(),
          pair.cpuRatioRange(),
          cpu.ratio(),
          cpu.standardError(),
          100 * pair.inferdStealShare(),
          100 * pair.bareStealShare());
      return pair;
    }

    /** One measured round and the share of the machine the host took meanwhile. */
    private record Round(Results.GhzFigures figures, double stealShare) {
      static List<Results.GhzFigures> figures(List<Round> rounds) {
        return rounds.stream().map(Round::figures).toList();
      }
    }

    /**
     * Both servers loaded by ghz at this point until their JIT settles: what the point's rounds
     * measure is then the servers' steady state under this client, method and number of callers.
     */
    void settle(
        String scenario,
        Work work,
        int concurrency,
        ServerUnderTest server,
        ServerUnderTest bare,
        Results results)
        throws IOException, InterruptedException {
      String method = method(work);
      String data = data(work);
      for (var named : List.of(Map.entry("inferd", server), Map.entry("bare", bare))) {
        ServerUnderTest target = named.getValue();
        Results.Warmup warmup =
            JitSettling.settle(
                scenario,
                concurrency,
                named.getKey(),
                config.ghzMeasure(),
                JitSettling.windows(config.ghzMeasure(), config.ghzWarmupCap()),
                JitSettling.measured(
                    target,
                    () -> run(method, data, concurrency, config.ghzMeasure(), target, GHZ)));
        print(warmup, config);
        results.transportWarmups.add(warmup);
      }
    }

    private static String method(Work work) {
      return work.scenario() == Scenario.UNARY ? "Complete" : "StreamComplete";
    }

    private static String data(Work work) throws IOException {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(work.completeRequest());
    }

    /** ghz warms its own connection and the server's code paths for it, then measures. */
    private Round warmAndRun(
        String method, String data, int concurrency, ServerUnderTest server, String tool)
        throws IOException, InterruptedException {
      run(method, data, concurrency, config.levelWarmup(), server, tool);
      ProcStats.MachineTime before = ProcStats.machineTime();
      Results.GhzFigures figures =
          run(method, data, concurrency, config.ghzMeasure(), server, tool);
      return new Round(figures, ProcStats.machineTime().stealShareSince(before));
    }

    private Results.GhzFigures run(
        String method,
        String data,
        int concurrency,
        Duration duration,
        ServerUnderTest server,
        String tool)
        throws IOException, InterruptedException {
      Path out =
          dir.resolve("logs/ghz-" + method + "-c" + concurrency + "-" + server.pid() + ".json");
      List<String> command =
          new ArrayList<>(
              List.of(
                  binary.toString(),
                  "--insecure",
                  "--proto",
                  proto.toString(),
                  "--import-paths",
                  proto.getParent().getParent().getParent().getParent().toString(),
                  "--call",
                  "ai.inference.v1.InferenceService." + method,
                  "-d",
                  data,
                  "-c",
                  Integer.toString(concurrency),
                  "--connections",
                  "1",
                  "-z",
                  duration.toMillis() + "ms",
                  "--duration-stop",
                  "ignore",
                  "--timeout",
                  "60s",
                  "-O",
                  "json",
                  "-o",
                  out.toString(),
                  "127.0.0.1:" + server.grpcPort()));
      long self = ProcessHandle.current().pid();
      long children0 = ProcStats.childrenCpuNanos(self);
      long server0 = server.cpuNanos();
      long jit0 = server.jitCpuNanos();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dir.resolve("logs/ghz.log").toFile()))
              .start();
      if (!process.waitFor(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IOException("ghz did not finish; see " + dir.resolve("logs/ghz.log"));
      }
      long serverCpu = server.cpuNanos() - server0;
      long serverJit = server.jitCpuNanos() - jit0;
      long ghzCpu = ProcStats.childrenCpuNanos(self) - children0;
      if (process.exitValue() != 0 && !Files.exists(out)) {
        throw new IOException(
            "ghz exited with " + process.exitValue() + "; see " + dir.resolve("logs/ghz.log"));
      }
      return figures(JSON.readTree(out.toFile()), tool, serverCpu, ghzCpu, serverJit);
    }
  }

  static Results.GhzFigures figures(
      JsonNode report, String tool, long serverCpuNanos, long clientCpuNanos, long serverJitNanos) {
    long ok = report.path("statusCodeDistribution").path("OK").asLong();
    long count = report.path("count").asLong();
    long errors = 0;
    var statuses = report.path("statusCodeDistribution").fields();
    while (statuses.hasNext()) {
      var status = statuses.next();
      if (!status.getKey().equals("OK")) {
        errors += status.getValue().asLong();
      }
    }
    double p50 = Double.NaN;
    double p90 = Double.NaN;
    double p99 = Double.NaN;
    for (JsonNode point : report.path("latencyDistribution")) {
      double us = point.path("latency").asLong() / 1000.0;
      switch (point.path("percentage").asInt()) {
        case 50 -> p50 = us;
        case 90 -> p90 = us;
        case 99 -> p99 = us;
        default -> {}
      }
    }
    double seconds = report.path("total").asLong() / 1e9;
    double calls = ok > 0 ? ok : count;
    return new Results.GhzFigures(
        tool,
        ok,
        errors,
        calls / seconds,
        report.path("average").asLong() / 1000.0,
        p50,
        p90,
        p99,
        serverCpuNanos / 1e9 / calls * 1000,
        clientCpuNanos / 1e9 / calls * 1000,
        serverJitNanos / 1e9 / calls * 1000);
  }
}
