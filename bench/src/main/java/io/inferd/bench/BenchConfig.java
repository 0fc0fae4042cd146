package io.inferd.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long and how hard each phase runs. {@link #full()} is what the report is made from; {@link
 * #quick()} is a CI smoke run (well under 3 minutes) that exercises every phase with tiny numbers.
 */
public record BenchConfig(
    String mode,
    List<Integer> concurrency,
    Duration blockWarmup,
    Duration levelWarmup,
    Duration measure,
    int rounds,
    Duration memoryMeasure,
    List<String> memoryScenarios,
    int wireUnaryCalls,
    int wireStreamCalls,
    int wireEmbedCalls,
    List<Integer> ghzConcurrency,
    Duration ghzMeasure,
    int ghzRounds,
    Duration ghzWarmupCap,
    List<Integer> modelConcurrency,
    Duration modelMeasure,
    int streamsTarget,
    Duration streamsTokenInterval,
    Duration streamsOpenTimeout,
    boolean jmhForked,
    int jmhWarmupIterations,
    Duration jmhWarmupTime,
    int jmhIterations,
    Duration jmhIterationTime,
    String serverHeap) {

  public static BenchConfig full() {
    return new BenchConfig(
        "full",
        List.of(1, 16, 64, 256),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        Duration.ofSeconds(16),
        4,
        Duration.ofSeconds(15),
        List.of("unary", "stream", "embed"),
        2000,
        100,
        300,
        List.of(1, 16, 64),
        Duration.ofSeconds(3),
        8, // many short rounds in turn: a shared machine's speed drifts within a minute
        Duration.ofSeconds(120),
        List.of(1, 2),
        Duration.ofSeconds(15),
        10_000,
        Duration.ofSeconds(10),
        Duration.ofSeconds(120),
        true,
        3,
        Duration.ofSeconds(1),
        5,
        Duration.ofSeconds(1),
        "512m");
  }

  public static BenchConfig quick() {
    return new BenchConfig(
        "quick",
        List.of(1, 16),
        Duration.ofMillis(1500),
        Duration.ofMillis(500),
        Duration.ofMillis(1500),
        1,
        Duration.ofMillis(1500),
        List.of("unary"),
        200,
        10,
        30,
        List.of(16),
        Duration.ofMillis(1500),
        1,
        Duration.ofMillis(1500),
        List.of(1),
        Duration.ofSeconds(2),
        300,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        false,
        1,
        Duration.ofMillis(50),
        1,
        Duration.ofMillis(150),
        "512m");
  }

  /** A one-line summary for the report. */
  public String describe() {
    return String.format(
        "concurrency %s; per scenario one server JVM, %s s warm-up per protocol, then per level %d"
            + " interleaved gRPC/REST windows of %s s (each after %s s warm-up), %s s measured per"
            + " protocol; memory pass (fresh JVM per protocol, %d callers, %s s) for %s; ghz %s, %s"
            + " of %s s per server (before each point each server loaded by ghz until its JIT"
            + " settles, at most %s s); real model %s × %s s; %,d concurrent streams; JMH %s, %d×%s warm-up, %d×%s"
            + " measured",
        concurrency,
        seconds(blockWarmup),
        rounds,
        seconds(measure.dividedBy(rounds)),
        seconds(levelWarmup),
        seconds(measure),
        16,
        seconds(memoryMeasure),
        memoryScenarios,
        ghzConcurrency,
        ghzRounds == 1 ? "1 round" : ghzRounds + " rounds",
        seconds(ghzMeasure),
        seconds(ghzWarmupCap),
        modelConcurrency,
        seconds(modelMeasure),
        streamsTarget,
        jmhForked ? "1 fork" : "in-process (no fork)",
        jmhWarmupIterations,
        seconds(jmhWarmupTime) + " s",
        jmhIterations,
        seconds(jmhIterationTime) + " s");
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0
        ? Long.toString(d.toSeconds())
        : String.valueOf(d.toMillis() / 1000.0);
  }
}
