package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.inferd.bench.BenchConfig;
import io.inferd.bench.report.Results;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * gRPC vs REST on the benchmark-only engine. Per scenario ONE server JVM serves both protocols;
 * each concurrency level is measured in interleaved windows (gRPC, REST, REST, gRPC, …) on one warm
 * client per protocol, so that drifting background load on a shared machine falls on both protocols
 * alike. Then the wire-size pass through the byte-counting proxy. Memory is measured apart, in a
 * fresh server JVM per protocol (a JVM's resident memory only grows, so a shared process cannot say
 * which protocol made it grow).
 */
public final class ProtocolSuite {
  public static final String ENGINE = "BenchOnlyEngine";

  /** Callers of the memory pass (the report's headline level). */
  static final int MEMORY_CONCURRENCY = 16;

  private ProtocolSuite() {}

  /** BenchServer options: enough slots and queue that admission never turns a call away. */
  static List<String> serverArgs(int slots) {
    return List.of(
        "--engine",
        "bench",
        "--parallel",
        Integer.toString(slots),
        "--queue",
        Integer.toString(slots));
  }

  public interface Progress {
    void save() throws IOException;
  }

  public static void run(
      BenchConfig config, Path dir, boolean accessLog, Results results, Progress progress)
      throws IOException, InterruptedException {
    int maxLevel = Collections.max(config.concurrency());
    List<String> args = serverArgs(Math.max(64, 2 * maxLevel));
    for (Scenario scenario : Scenario.values()) {
      String name = scenario.name().toLowerCase();
      System.out.printf("  %s: gRPC and REST on one server%n", scenario.label());
      Map<Protocol, List<Results.LevelRow>> levels = new EnumMap<>(Protocol.class);
      Path log = dir.resolve("logs/server-" + name + ".log");
      try (ServerUnderTest server =
          ServerUnderTest.start(config.serverHeap(), accessLog, log, args)) {
        Work work = Work.bench(scenario);
        for (Protocol protocol : Protocol.values()) {
          LevelMeasurement.warm(
              server, protocol, work, Math.min(16, maxLevel), config.blockWarmup());
        }
        Duration window = config.measure().dividedBy(config.rounds());
        for (int concurrency : config.concurrency()) {
          Map<Protocol, CallDriver> drivers = new EnumMap<>(Protocol.class);
          Map<Protocol, LevelMeasurement.Sample> samples = new EnumMap<>(Protocol.class);
          try {
            for (Protocol protocol : Protocol.values()) {
              drivers.put(
                  protocol,
                  LevelMeasurement.driver(protocol, LevelMeasurement.port(protocol, server), work));
            }
            for (int round = 0; round < config.rounds(); round++) {
              List<Protocol> order =
                  round % 2 == 0
                      ? List.of(Protocol.GRPC, Protocol.REST)
                      : List.of(Protocol.REST, Protocol.GRPC);
              for (Protocol protocol : order) {
                LevelMeasurement.Sample sample =
                    LevelMeasurement.window(
                        server,
                        protocol,
                        drivers.get(protocol),
                        concurrency,
                        config.levelWarmup(),
                        window);
                samples.merge(protocol, sample, LevelMeasurement.Sample::add);
              }
            }
          } finally {
            drivers.values().forEach(CallDriver::close);
          }
          for (Protocol protocol : Protocol.values()) {
            Results.LevelRow row = samples.get(protocol).toRow(protocol, work, ENGINE, concurrency);
            print(row);
            levels.computeIfAbsent(protocol, p -> new ArrayList<>()).add(row);
          }
        }
        for (Protocol protocol : Protocol.values()) {
          results.wire.add(wire(server, protocol, work, "", wireCalls(config, scenario)));
        }
        if (scenario == Scenario.EMBED) {
          results.wire.add(
              wire(server, Protocol.REST, work, "base64", wireCalls(config, scenario)));
        }
      }
      for (Protocol protocol : Protocol.values()) {
        results.protocol.add(
            new Results.ProtocolBlock(
                protocol.label(), name, levels.get(protocol), -1, -1, -1, -1));
      }
      progress.save();
    }
    for (Scenario scenario : Scenario.values()) {
      String name = scenario.name().toLowerCase();
      if (!config.memoryScenarios().contains(name)) {
        continue;
      }
      for (Protocol protocol : Protocol.values()) {
        memory(config, dir, accessLog, results, scenario, protocol, args);
      }
      progress.save();
    }
  }

  /**
   * A fresh server JVM that serves one protocol only: warm-up, then {@link #MEMORY_CONCURRENCY}
   * callers for the memory period; its peak RSS (VmHWM), peak heap and live heap after a full GC.
   */
  private static void memory(
      BenchConfig config,
      Path dir,
      boolean accessLog,
      Results results,
      Scenario scenario,
      Protocol protocol,
      List<String> args)
      throws IOException, InterruptedException {
    String name = scenario.name().toLowerCase();
    Path log =
        dir.resolve("logs/server-memory-" + protocol.name().toLowerCase() + "-" + name + ".log");
    try (ServerUnderTest server =
        ServerUnderTest.start(config.serverHeap(), accessLog, log, args)) {
      long startRss = ProcStats.rssKb(server.pid());
      server.resetPeaks();
      Work work = Work.bench(scenario);
      LevelMeasurement.warm(server, protocol, work, MEMORY_CONCURRENCY, config.blockWarmup());
      LevelMeasurement.measure(
          server,
          protocol,
          work,
          ENGINE,
          MEMORY_CONCURRENCY,
          Duration.ZERO,
          config.memoryMeasure());
      JsonNode peaks = server.stats();
      JsonNode live = server.gc();
      long peakRss = ProcStats.hwmKb(server.pid());
      for (int i = 0; i < results.protocol.size(); i++) {
        Results.ProtocolBlock b = results.protocol.get(i);
        if (b.protocol().equals(protocol.label()) && b.scenario().equals(name)) {
          results.protocol.set(
              i,
              new Results.ProtocolBlock(
                  b.protocol(),
                  b.scenario(),
                  b.levels(),
                  startRss,
                  peakRss,
                  peaks.path("peakHeapUsed").asLong(),
                  live.path("heapUsed").asLong()));
        }
      }
      System.out.printf(
          "  memory, %s over %s: RSS %,d kB at start, peak %,d kB; peak heap %,d kB, live %,d kB%n",
          scenario.label(),
          protocol.label(),
          startRss,
          peakRss,
          peaks.path("peakHeapUsed").asLong() / 1024,
          live.path("heapUsed").asLong() / 1024);
    }
  }

  private static int wireCalls(BenchConfig config, Scenario scenario) {
    return switch (scenario) {
      case UNARY -> config.wireUnaryCalls();
      case STREAM -> config.wireStreamCalls();
      case EMBED -> config.wireEmbedCalls();
    };
  }

  /**
   * Sequential calls through the counting proxy on one warm connection: exactly the bytes each call
   * puts on the wire in each direction (connection set-up excluded, as it is shared by all calls).
   */
  static Results.WireRow wire(
      ServerUnderTest server, Protocol protocol, Work work, String variant, int calls)
      throws IOException {
    int port = LevelMeasurement.port(protocol, server);
    try (ByteCountingProxy proxy = new ByteCountingProxy(port);
        CallDriver driver =
            variant.equals("base64")
                ? new RestDriver(proxy.port(), work, true)
                : LevelMeasurement.driver(protocol, proxy.port(), work)) {
      Metrics metrics = new Metrics();
      for (int i = 0; i < 10; i++) {
        driver.call(metrics.startCall());
      }
      long up = proxy.upstreamBytes();
      long down = proxy.downstreamBytes();
      for (int i = 0; i < calls; i++) {
        driver.call(metrics.startCall());
      }
      Thread.sleep(100); // let trailing control frames (window updates, pings) through
      var row =
          new Results.WireRow(
              protocol.label(),
              work.scenario().name().toLowerCase(),
              variant,
              calls,
              (proxy.upstreamBytes() - up) / (double) calls,
              (proxy.downstreamBytes() - down) / (double) calls,
              proxy.connections());
      System.out.printf(
          "    wire%s: %,.0f B request + %,.0f B response per call over %d connection(s)%n",
          variant.isEmpty() ? "" : " (" + variant + ")",
          row.requestBytesPerCall(),
          row.responseBytesPerCall(),
          row.connections());
      return row;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(
          "wire pass " + protocol + " " + work.scenario() + ": " + ErrorKinds.of(e), e);
    }
  }

  static void print(Results.LevelRow row) {
    System.out.printf(
        "    %-4s c=%-4d %,9.0f calls/s  avg %,9.1f µs  p50 %,9.1f  p99 %,9.1f  p99.9 %,9.1f "
            + " server %.3f cpu-s/1000  conns %d  errors %d%s%n",
        row.protocol(),
        row.concurrency(),
        row.callsPerSecond(),
        row.latency() == null ? Double.NaN : row.latency().meanUs(),
        row.latency() == null ? Double.NaN : row.latency().p50Us(),
        row.latency() == null ? Double.NaN : row.latency().p99Us(),
        row.latency() == null ? Double.NaN : row.latency().p999Us(),
        row.serverCpuSecondsPer1000(),
        row.serverConnections(),
        row.errors(),
        row.errors() > 0 ? " " + row.errorKinds() : "");
  }
}
