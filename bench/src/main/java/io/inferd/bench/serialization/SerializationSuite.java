package io.inferd.bench.serialization;

import io.inferd.bench.BenchConfig;
import io.inferd.bench.JvmFlags;
import io.inferd.bench.report.Results;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link SerializationBenchmark} for every payload × encoding through JMH 1.37 (a fork per
 * pair in full mode), and records the encoded size next to the timings. JMH's own log goes to
 * {@code jmh.log} in the results directory.
 */
public final class SerializationSuite {
  private SerializationSuite() {}

  /**
   * The (payload, format) pairs measured: every payload in every encoding, plus base64 embeddings.
   */
  public static List<String[]> pairs() {
    List<String[]> pairs = new ArrayList<>();
    for (String payload : Codec.PAYLOADS) {
      for (String format : Codec.FORMATS) {
        pairs.add(new String[] {payload, format});
      }
    }
    pairs.add(new String[] {Codec.EMBED_BASE64, "jackson"});
    return pairs;
  }

  public static List<Results.SerializationRow> run(BenchConfig config, Path logFile)
      throws RunnerException {
    List<Results.SerializationRow> rows = new ArrayList<>();
    for (String[] pair : pairs()) {
      String payload = pair[0];
      String format = pair[1];
      System.out.printf("  JMH %-28s %-10s ", payload, format);
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .include(SerializationBenchmark.class.getName() + "\\.")
              .param("payload", payload)
              .param("format", format)
              .forks(config.jmhForked() ? 1 : 0)
              .warmupIterations(config.jmhWarmupIterations())
              .warmupTime(TimeValue.milliseconds(config.jmhWarmupTime().toMillis()))
              .measurementIterations(config.jmhIterations())
              .measurementTime(TimeValue.milliseconds(config.jmhIterationTime().toMillis()))
              .threads(1)
              .addProfiler(GCProfiler.class)
              .output(logFile.toString());
      if (config.jmhForked()) {
        options.jvmArgs(JvmFlags.benchmarkFork().toArray(String[]::new));
      }
      Collection<RunResult> results = new Runner(options.build()).run();
      double serialize = Double.NaN;
      double serializeError = Double.NaN;
      double parse = Double.NaN;
      double parseError = Double.NaN;
      double serializeAlloc = Double.NaN;
      double parseAlloc = Double.NaN;
      for (RunResult result : results) {
        String method = result.getParams().getBenchmark();
        Result<?> primary = result.getPrimaryResult();
        Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
        if (method.endsWith(".serialize")) {
          serialize = primary.getScore();
          serializeError = primary.getScoreError();
          serializeAlloc = alloc == null ? Double.NaN : alloc.getScore();
        } else if (method.endsWith(".parse")) {
          parse = primary.getScore();
          parseError = primary.getScoreError();
          parseAlloc = alloc == null ? Double.NaN : alloc.getScore();
        }
      }
      int bytes = Codec.of(payload, format).encode().length;
      System.out.printf("%,8d B  ser %,10.0f ns  parse %,10.0f ns%n", bytes, serialize, parse);
      rows.add(
          new Results.SerializationRow(
              payload,
              format,
              bytes,
              serialize,
              serializeError,
              parse,
              parseError,
              serializeAlloc,
              parseAlloc));
    }
    return rows;
  }
}
