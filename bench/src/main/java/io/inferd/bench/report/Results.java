package io.inferd.bench.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Everything one benchmark run measured, as plain data: written to {@code results.json} after each
 * phase and read back by {@link ReportWriter}, so a report can be re-rendered without re-measuring.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Results {
  public static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public Environment environment;
  public List<SerializationRow> serialization = new ArrayList<>();
  public List<ProtocolBlock> protocol = new ArrayList<>();
  public List<WireRow> wire = new ArrayList<>();
  public List<GhzPair> ghz = new ArrayList<>();
  public List<TransportPair> transport = new ArrayList<>();

  /** How long each server of the transport points was loaded before them, and how it ended. */
  public List<Warmup> transportWarmups = new ArrayList<>();

  public String ghzNote;
  public List<LevelRow> model = new ArrayList<>();
  public String modelNote;
  public List<StreamsRow> streams = new ArrayList<>();
  public List<String> notes = new ArrayList<>();

  /** Wall-clock seconds each phase took in the run that produced its figures. */
  public java.util.Map<String, Double> phaseSeconds = new java.util.LinkedHashMap<>();

  public static Results read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Results.class);
  }

  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), this);
  }

  /** Where and how it ran. */
  public record Environment(
      String mode,
      String startedAt,
      double minutes,
      String jvm,
      int cores,
      String cpuModel,
      String os,
      String serverJvmOptions,
      String clientJvmOptions,
      String settings,
      String loadAverageBefore,
      String loadAverageAfter,
      long openFilesLimit) {}

  /** One payload in one encoding (JMH, average time). */
  public record SerializationRow(
      String payload,
      String format,
      int bytes,
      double serializeNs,
      double serializeError,
      double parseNs,
      double parseError,
      double serializeAllocBytes,
      double parseAllocBytes) {}

  /** A latency distribution in microseconds, with the points for a percentile chart. */
  public record Latency(
      long count,
      double meanUs,
      double p50Us,
      double p90Us,
      double p99Us,
      double p999Us,
      double maxUs,
      List<double[]> percentileCurve) {
    public static Latency of(Histogram histogram) {
      if (histogram == null || histogram.getTotalCount() == 0) {
        return null;
      }
      List<double[]> curve = new ArrayList<>();
      for (HistogramIterationValue value : histogram.percentiles(5)) {
        double percentile = value.getPercentileLevelIteratedTo();
        curve.add(new double[] {percentile, value.getValueIteratedTo() / 1000.0});
        if (percentile >= 99.99) {
          break;
        }
      }
      return new Latency(
          histogram.getTotalCount(),
          histogram.getMean() / 1000.0,
          histogram.getValueAtPercentile(50) / 1000.0,
          histogram.getValueAtPercentile(90) / 1000.0,
          histogram.getValueAtPercentile(99) / 1000.0,
          histogram.getValueAtPercentile(99.9) / 1000.0,
          histogram.getMaxValue() / 1000.0,
          curve);
    }
  }

  /** One concurrency level of one scenario over one protocol. */
  public record LevelRow(
      String protocol,
      String scenario,
      String engine,
      int concurrency,
      long calls,
      long errors,
      Map<String, Long> errorKinds,
      double seconds,
      double callsPerSecond,
      double tokensPerSecond,
      Latency latency,
      Latency timeToFirstToken,
      Latency interTokenGap,
      double serverCpuSecondsPer1000,
      double serverCpuUtilisation,
      double clientCpuSecondsPer1000,
      double allocatedBytesPerCall,
      int serverConnections,
      long serverRssKb) {}

  /** A scenario over a protocol on one fresh server JVM: its levels and its memory peaks. */
  public record ProtocolBlock(
      String protocol,
      String scenario,
      List<LevelRow> levels,
      long startRssKb,
      long peakRssKb,
      long peakHeapUsedBytes,
      long liveHeapAfterGcBytes) {}

  /** Bytes on the wire per call, counted by the loopback proxy. */
  public record WireRow(
      String protocol,
      String scenario,
      String variant,
      int calls,
      double requestBytesPerCall,
      double responseBytesPerCall,
      long connections) {
    public double totalBytesPerCall() {
      return requestBytesPerCall + responseBytesPerCall;
    }
  }

  /** The same gRPC scenario and concurrency measured by inferd-bench and then by ghz. */
  public record GhzPair(String scenario, int concurrency, GhzFigures own, GhzFigures ghz) {}

  /**
   * ghz against inferd (bench engine) and against the bare grpc-java server on the same proto: what
   * inferd's transport layers cost.
   */
  public record TransportPair(
      String scenario,
      int concurrency,
      GhzFigures inferd,
      GhzFigures bare,
      List<RoundPair> rounds) {
    public TransportPair {
      rounds = rounds == null ? List.of() : List.copyOf(rounds); // null: a report from before them
    }

    /** Pooled figures alone, without their rounds. */
    public TransportPair(String scenario, int concurrency, GhzFigures inferd, GhzFigures bare) {
      this(scenario, concurrency, inferd, bare, List.of());
    }

    /** inferd's calls/s should be at least this share of the bare server's (issue 14). */
    public static final double CALLS_TARGET = 0.90;

    /** inferd's server CPU per call should be at most this multiple of the bare server's. */
    public static final double CPU_TARGET = 1.2;

    /** The pooled ratio: the mean of inferd's rounds over the mean of the bare server's. */
    public double callsRatio() {
      return inferd.callsPerSecond() / bare.callsPerSecond();
    }

    /** The pooled ratio, CPU per call weighted by each round's calls. */
    public double cpuRatio() {
      return inferd.serverCpuSecondsPer1000() / bare.serverCpuSecondsPer1000();
    }

    /** Whether the host's steal was measured in this point's rounds (two pairs at least). */
    public boolean stealMeasured() {
      return rounds.size() >= 2
          && rounds.stream().anyMatch(r -> r.inferdStealShare() > 0 || r.bareStealShare() > 0);
    }

    public SteadyRatio callsAtEqualSteal() {
      return SteadyRatio.fit(
          rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);
    }

    public SteadyRatio cpuAtEqualSteal() {
      return SteadyRatio.fit(
          rounds, RoundPair::inferdCpuSecondsPer1000, RoundPair::bareCpuSecondsPer1000);
    }

    /** The ratio the target is judged on: at equal steal where it was measured, else pooled. */
    public double callsVerdictRatio() {
      return stealMeasured() ? callsAtEqualSteal().ratio() : callsRatio();
    }

    public double cpuVerdictRatio() {
      return stealMeasured() ? cpuAtEqualSteal().ratio() : cpuRatio();
    }

    public boolean callsMet() {
      return callsVerdictRatio() >= CALLS_TARGET;
    }

    public boolean cpuMet() {
      return cpuVerdictRatio() <= CPU_TARGET;
    }

    /** The mean share of the machine the host took during inferd's rounds. */
    public double inferdStealShare() {
      return rounds.stream().mapToDouble(RoundPair::inferdStealShare).average().orElse(0);
    }

    public double bareStealShare() {
      return rounds.stream().mapToDouble(RoundPair::bareStealShare).average().orElse(0);
    }

    /**
     * {@link #cpuRatio()} without either server's compiler threads: what a call costs once the JIT
     * is done, which a few minutes of load do not quite reach.
     */
    public double cpuRatioWithoutJit() {
      return (inferd.serverCpuSecondsPer1000() - inferd.serverJitSecondsPer1000())
          / (bare.serverCpuSecondsPer1000() - bare.serverJitSecondsPer1000());
    }

    /** The lowest and highest calls/s ratio of the round pairs: how far the machine moved it. */
    public Range callsRatioRange() {
      return Range.of(rounds.stream().mapToDouble(RoundPair::callsRatio));
    }

    /** The lowest and highest CPU-per-call ratio of the round pairs. */
    public Range cpuRatioRange() {
      return Range.of(rounds.stream().mapToDouble(RoundPair::cpuRatio));
    }
  }

  /** The lowest and highest of some ratios, shown as "0.91-1.12×". */
  public record Range(double lowest, double highest) {
    static Range of(DoubleStream ratios) {
      DoubleSummaryStatistics all = ratios.summaryStatistics();
      return new Range(all.getMin(), all.getMax());
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f-%.2f×", lowest, highest);
    }
  }

  /**
   * One round of each server at a point, run one right after the other: the machine's speed at that
   * minute falls on both alike, so their ratio shows how much the point moved between rounds. The
   * steal shares are the parts of the machine the host gave to other guests during each round (0 in
   * reports from before they were measured).
   */
  public record RoundPair(
      double inferdCallsPerSecond,
      double bareCallsPerSecond,
      double inferdCpuSecondsPer1000,
      double bareCpuSecondsPer1000,
      double inferdStealShare,
      double bareStealShare) {
    /** A pair whose steal was not measured. */
    public RoundPair(
        double inferdCallsPerSecond,
        double bareCallsPerSecond,
        double inferdCpuSecondsPer1000,
        double bareCpuSecondsPer1000) {
      this(
          inferdCallsPerSecond,
          bareCallsPerSecond,
          inferdCpuSecondsPer1000,
          bareCpuSecondsPer1000,
          0,
          0);
    }

    public static RoundPair of(
        GhzFigures inferd, double inferdStealShare, GhzFigures bare, double bareStealShare) {
      return new RoundPair(
          inferd.callsPerSecond(),
          bare.callsPerSecond(),
          inferd.serverCpuSecondsPer1000(),
          bare.serverCpuSecondsPer1000(),
          inferdStealShare,
          bareStealShare);
    }

    public double callsRatio() {
      return inferdCallsPerSecond / bareCallsPerSecond;
    }

    public double cpuRatio() {
      return inferdCpuSecondsPer1000 / bareCpuSecondsPer1000;
    }
  }

  /**
   * A server loaded at one point (scenario and callers) until its JIT compiler threads took under
   * {@code quietJitShare} of its CPU over one window, or until a cap: {@code jitShare} is the last
   * window's.
   */
  public record Warmup(
      String scenario,
      int callers,
      String server,
      double seconds,
      double jitShare,
      double quietJitShare) {
    public boolean settled() {
      return jitShare < quietJitShare;
    }
  }

  public record GhzFigures(
      String tool,
      long calls,
      long errors,
      double callsPerSecond,
      double meanUs,
      double p50Us,
      double p90Us,
      double p99Us,
      double serverCpuSecondsPer1000,
      double clientCpuSecondsPer1000,
      double serverJitSecondsPer1000) {

    /** The part of the server's CPU that went to compiling code (0 when not measured). */
    public double serverJitShare() {
      return serverCpuSecondsPer1000 > 0 ? serverJitSecondsPer1000 / serverCpuSecondsPer1000 : 0;
    }

    /**
     * Rounds of one tool against one server taken together: calls and errors add up, calls/s is the
     * rounds' mean, mean latency and CPU per call are weighted by each round's calls, and the
     * percentiles are the rounds' means (the rounds' histograms are not kept).
     */
    public static GhzFigures pooled(List<GhzFigures> rounds) {
      if (rounds.size() == 1) {
        return rounds.getFirst();
      }
      long calls = rounds.stream().mapToLong(GhzFigures::calls).sum();
      return new GhzFigures(
          rounds.getFirst().tool(),
          calls,
          rounds.stream().mapToLong(GhzFigures::errors).sum(),
          mean(rounds, GhzFigures::callsPerSecond),
          weighted(rounds, calls, GhzFigures::meanUs),
          mean(rounds, GhzFigures::p50Us),
          mean(rounds, GhzFigures::p90Us),
          mean(rounds, GhzFigures::p99Us),
          weighted(rounds, calls, GhzFigures::serverCpuSecondsPer1000),
          weighted(rounds, calls, GhzFigures::clientCpuSecondsPer1000),
          weighted(rounds, calls, GhzFigures::serverJitSecondsPer1000));
    }

    private static double mean(List<GhzFigures> rounds, ToDoubleFunction<GhzFigures> value) {
      return rounds.stream().mapToDouble(value).average().orElse(0);
    }

    private static double weighted(
        List<GhzFigures> rounds, long calls, ToDoubleFunction<GhzFigures> value) {
      return calls == 0
          ? mean(rounds, value)
          : rounds.stream().mapToDouble(r -> value.applyAsDouble(r) * r.calls()).sum() / calls;
    }
  }

  /** Concurrent long-lived streams held by one protocol. */
  public record StreamsRow(
      String protocol,
      int target,
      int opened,
      long failed,
      Map<String, Long> errorKinds,
      double secondsToOpen,
      int serverConnections,
      long heapBaselineBytes,
      long heapWithStreamsBytes,
      double heapPerStreamBytes,
      long rssBaselineKb,
      long rssWithStreamsKb,
      double rssPerStreamKb,
      long threadsBaseline,
      long threadsWithStreams,
      long serverOpenFiles,
      long clientOpenFiles,
      String note) {}
}
