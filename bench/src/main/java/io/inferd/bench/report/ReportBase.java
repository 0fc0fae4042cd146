package io.inferd.bench.report;

import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.ProtocolBlock;
import io.inferd.bench.report.Results.SerializationRow;
import io.inferd.bench.report.Results.StreamsRow;
import io.inferd.bench.report.Results.WireRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * What every part of the benchmark report shares: the results, lookups into them, number
 * formatting, and Markdown lines and tables. Each part renders into its own buffer.
 */
abstract class ReportBase {
  final Results r;
  final StringBuilder md = new StringBuilder();
  final List<String> chartFailures;

  /** Claims whose verdict is not "supported": claim, verdict. */
  final List<String[]> unsupported;

  ReportBase(Results results) {
    this.r = results;
    this.chartFailures = new ArrayList<>();
    this.unsupported = new ArrayList<>();
  }

  /** A part over the same results, noting failures and verdicts in the same lists. */
  ReportBase(ReportBase shared) {
    this.r = shared.r;
    this.chartFailures = shared.chartFailures;
    this.unsupported = shared.unsupported;
  }

  /** The concurrency whose figures fill the mirrored table (the other levels follow in detail). */
  static final int HEADLINE_CONCURRENCY = 16;

  static final String[] SCENARIOS = {"unary", "stream", "embed"};

  static final Map<String, String> SCENARIO_LABELS =
      Map.of(
          "unary",
          "unary completion",
          "stream",
          "streaming completion (256 tokens)",
          "embed",
          "batch embedding (16 × 384)");

  static final ToDoubleFunction<LevelRow> MEAN =
      l -> l.latency() == null ? Double.NaN : l.latency().meanUs();
  static final ToDoubleFunction<LevelRow> P99 =
      l -> l.latency() == null ? Double.NaN : l.latency().p99Us();

  // ------------------------------------------------------------------ lookups

  Optional<SerializationRow> ser(String payload, String format) {
    return r.serialization.stream()
        .filter(s -> s.payload().equals(payload) && s.format().equals(format))
        .findFirst();
  }

  Optional<ProtocolBlock> block(String protocol, String scenario) {
    return r.protocol.stream()
        .filter(b -> b.protocol().equals(protocol) && b.scenario().equals(scenario))
        .findFirst();
  }

  Optional<LevelRow> level(String protocol, String scenario, int concurrency) {
    return block(protocol, scenario)
        .flatMap(b -> b.levels().stream().filter(l -> l.concurrency() == concurrency).findFirst());
  }

  Optional<WireRow> wire(String protocol, String scenario, String variant) {
    return r.wire.stream()
        .filter(
            w ->
                w.protocol().equals(protocol)
                    && w.scenario().equals(scenario)
                    && w.variant().equals(variant))
        .findFirst();
  }

  Optional<StreamsRow> streams(String protocol) {
    return r.streams.stream().filter(s -> s.protocol().equals(protocol)).findFirst();
  }

  int headline() {
    TreeSet<Integer> levels = new TreeSet<>();
    r.protocol.forEach(b -> b.levels().forEach(l -> levels.add(l.concurrency())));
    if (levels.isEmpty() || levels.contains(HEADLINE_CONCURRENCY)) {
      return HEADLINE_CONCURRENCY;
    }
    return levels.last();
  }

  /**
   * Where the largest REST ÷ gRPC ratio of {@code metric} was measured, e.g. "stream at 1 caller".
   */
  String ratioMaxAt(ToDoubleFunction<LevelRow> metric) {
    double max = Double.NaN;
    String at = "";
    for (ProtocolBlock rest : r.protocol) {
      if (!rest.protocol().equals("REST")) {
        continue;
      }
      for (LevelRow restLevel : rest.levels()) {
        Optional<LevelRow> grpc = level("gRPC", rest.scenario(), restLevel.concurrency());
        if (grpc.isPresent()) {
          double ratio = metric.applyAsDouble(restLevel) / metric.applyAsDouble(grpc.get());
          if (Double.isFinite(ratio) && (Double.isNaN(max) || ratio > max)) {
            max = ratio;
            at =
                rest.scenario()
                    + " at "
                    + restLevel.concurrency()
                    + " caller"
                    + (restLevel.concurrency() == 1 ? "" : "s");
          }
        }
      }
    }
    return at;
  }

  /** REST figure / gRPC figure over every scenario and level measured: [min, max]. */
  double[] ratioRange(ToDoubleFunction<LevelRow> metric) {
    double min = Double.NaN;
    double max = Double.NaN;
    for (ProtocolBlock rest : r.protocol) {
      if (!rest.protocol().equals("REST")) {
        continue;
      }
      for (LevelRow restLevel : rest.levels()) {
        Optional<LevelRow> grpc = level("gRPC", rest.scenario(), restLevel.concurrency());
        if (grpc.isEmpty()) {
          continue;
        }
        double ratio = metric.applyAsDouble(restLevel) / metric.applyAsDouble(grpc.get());
        if (Double.isFinite(ratio)) {
          min = Double.isNaN(min) ? ratio : Math.min(min, ratio);
          max = Double.isNaN(max) ? ratio : Math.max(max, ratio);
        }
      }
    }
    return new double[] {min, max};
  }

  // ------------------------------------------------------------------ formatting

  static String us(double micros) {
    if (!Double.isFinite(micros)) {
      return "–";
    }
    if (micros < 10) {
      return String.format(Locale.ROOT, "%.1f µs", micros);
    }
    if (micros < 1000) {
      return String.format(Locale.ROOT, "%.0f µs", micros);
    }
    if (micros < 100_000) {
      return String.format(Locale.ROOT, "%.2f ms", micros / 1000);
    }
    return String.format(Locale.ROOT, "%.0f ms", micros / 1000);
  }

  static String ns(double nanos) {
    if (!Double.isFinite(nanos)) {
      return "–";
    }
    if (nanos < 10_000) {
      return String.format(Locale.ROOT, "%,.0f ns", nanos);
    }
    return String.format(Locale.ROOT, "%,.1f µs", nanos / 1000);
  }

  static String bytes(double b) {
    if (!Double.isFinite(b)) {
      return "–";
    }
    if (Math.abs(b) < 10_000) {
      return String.format(Locale.ROOT, "%,.0f B", b);
    }
    if (Math.abs(b) < 10_000_000) {
      return String.format(Locale.ROOT, "%,.1f KiB", b / 1024);
    }
    return String.format(Locale.ROOT, "%,.1f MiB", b / 1024 / 1024);
  }

  static String kb(double kb) {
    return bytes(kb * 1024);
  }

  static String times(double ratio) {
    if (!Double.isFinite(ratio)) {
      return "–";
    }
    return String.format(Locale.ROOT, ratio < 10 ? "%.2f×" : "%.1f×", ratio);
  }

  static String percent(double fraction) {
    if (!Double.isFinite(fraction)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }

  static String num(double value) {
    if (!Double.isFinite(value)) {
      return "–";
    }
    return String.format(Locale.ROOT, value < 100 ? "%,.1f" : "%,.0f", value);
  }

  static String range(double[] minMax) {
    if (!Double.isFinite(minMax[0])) {
      return "–";
    }
    return times(minMax[0]) + " … " + times(minMax[1]);
  }

  /** A verdict on "gRPC is {@code claimed}× better" given the measured factor. */
  static String factorVerdict(double measured, double claimed) {
    return factorVerdict(measured, claimed, "gRPC", "REST/JSON");
  }

  static String factorVerdict(double measured, double claimed, String winner, String loser) {
    return Verdict.ofFactor(measured, claimed)
        .markdown(winner + " is better, by less than claimed", loser + " is better here");
  }

  /** A verdict on "gRPC uses {@code claimed} (a fraction) less" given the measured reduction. */
  static String reductionVerdict(double measured, double claimed) {
    return Verdict.ofReduction(measured, claimed)
        .markdown("less saved than claimed", "gRPC uses more");
  }

  void line(String text) {
    md.append(text).append('\n');
  }

  void table(String... header) {
    line("| " + String.join(" | ", header) + " |");
    StringBuilder rule = new StringBuilder("|");
    for (int i = 0; i < header.length; i++) {
      rule.append(i == 0 ? "---|" : "---:|");
    }
    line(rule.toString());
  }

  void row(Object... cells) {
    StringBuilder row = new StringBuilder("|");
    for (Object cell : cells) {
      row.append(' ').append(cell).append(" |");
    }
    line(row.toString());
  }

  int cores() {
    return r.environment == null
        ? Runtime.getRuntime().availableProcessors()
        : r.environment.cores();
  }

  /** Whether this run shows the REST gateway's ~40 ms Nagle/delayed-ACK wait on streams. */
  boolean nagle() {
    return firstEventWaitLevel().isPresent();
  }

  /** The first of 1 and 16 callers at which {@link #restFirstEventWaits} holds. */
  OptionalInt firstEventWaitLevel() {
    return IntStream.of(1, 16).filter(this::restFirstEventWaits).findFirst();
  }

  /**
   * Whether REST's first streamed event took 30 ms or more (p50) at {@code c} callers, and at least
   * twice gRPC's: a wait of its own, not a slow machine.
   */
  boolean restFirstEventWaits(int c) {
    Optional<LevelRow> rest = level("REST", "stream", c);
    Optional<LevelRow> grpc = level("gRPC", "stream", c);
    if (rest.isEmpty()
        || grpc.isEmpty()
        || rest.get().timeToFirstToken() == null
        || grpc.get().timeToFirstToken() == null) {
      return false;
    }
    double restUs = rest.get().timeToFirstToken().p50Us();
    return restUs >= 30_000 && restUs >= 2 * grpc.get().timeToFirstToken().p50Us();
  }

  static String callers(int c) {
    return c + (c == 1 ? " caller" : " callers");
  }

  static String lessOrMore(double reduction) {
    if (!Double.isFinite(reduction)) {
      return "–";
    }
    return reduction >= 0 ? percent(reduction) + " less" : percent(-reduction) + " more";
  }

  /** Jackson ÷ Protobuf over the inferd payloads: [min, max]. */
  double[] payloadRange(ToDoubleFunction<SerializationRow> metric) {
    double min = Double.NaN;
    double max = Double.NaN;
    for (String payload :
        List.of("CompleteRequest", "CompleteResponse", "StreamChunk", "BatchEmbedResponse")) {
      Optional<SerializationRow> pb = ser(payload, "protobuf");
      Optional<SerializationRow> js = ser(payload, "jackson");
      if (pb.isPresent() && js.isPresent()) {
        double ratio = metric.applyAsDouble(js.get()) / metric.applyAsDouble(pb.get());
        if (Double.isFinite(ratio)) {
          min = Double.isNaN(min) ? ratio : Math.min(min, ratio);
          max = Double.isNaN(max) ? ratio : Math.max(max, ratio);
        }
      }
    }
    return new double[] {min, max};
  }

  /** How much smaller Protobuf is than Jackson over the inferd payloads: [min, max]. */
  double[] payloadSizeReduction() {
    double[] ratio = payloadRange(SerializationRow::bytes);
    return new double[] {1 - 1 / ratio[0], 1 - 1 / ratio[1]};
  }
}
