package io.inferd.bench.load;

import io.inferd.bench.BenchConfig;
import io.inferd.bench.report.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The streaming scenario on a real model (llama.cpp, the shared stories260K GGUF) instead of the
 * benchmark-only engine: here the engine's decoding sets the pace, and the protocols' difference
 * shrinks to what it is in practice. One server JVM serves both protocols in turn.
 */
public final class ModelSuite {
  private ModelSuite() {}

  public static Path defaultModel(Path home) {
    return home.resolve("../shared/models/stories260K.gguf").normalize();
  }

  public static void run(
      BenchConfig config,
      Path dir,
      Path model,
      boolean accessLog,
      Results results,
      ProtocolSuite.Progress progress)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(model)) {
      results.modelNote =
          "skipped: " + model + " is absent (the real-model run needs the shared stories260K GGUF)";
      System.out.println("  " + results.modelNote);
      return;
    }
    String engine = "llama.cpp " + model.getFileName();
    Work work = new Work(Scenario.STREAM, "", 256, false);
    int parallel = config.modelConcurrency().stream().mapToInt(Integer::intValue).max().orElse(2);
    try (ServerUnderTest server =
        ServerUnderTest.start(
            config.serverHeap(),
            accessLog,
            dir.resolve("logs/server-model.log"),
            List.of(
                "--engine",
                "llama",
                "--model",
                model.toString(),
                "--parallel",
                Integer.toString(Math.max(2, parallel)),
                "--queue",
                "16"))) {
      for (Protocol protocol : Protocol.values()) {
        System.out.printf(
            "  %s over %s on %s%n", Scenario.STREAM.label(), protocol.label(), engine);
        LevelMeasurement.warm(server, protocol, work, 1, config.levelWarmup());
        for (int concurrency : config.modelConcurrency()) {
          Results.LevelRow row =
              LevelMeasurement.measure(
                  server,
                  protocol,
                  work,
                  engine,
                  concurrency,
                  config.levelWarmup(),
                  config.modelMeasure());
          ProtocolSuite.print(row);
          results.model.add(row);
        }
        progress.save();
      }
    }
    results.modelNote =
        engine
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " llama.cpp threads, temperature 0.7 and seed 42 as in every scenario, max_tokens 256"
            + " (the model may stop earlier); stories260K has no chat template, so the three"
            + " messages are continued as plain text";
  }
}
