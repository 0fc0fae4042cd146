package io.inferd.bench.report;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.DoubleStream;

/** inferd beside a bare grpc-java server on the same proto: what inferd's layers cost. */
final class TransportSection extends ReportBase {
  TransportSection(ReportBase shared) {
    super(shared);
  }

  String render() {
    if (r.transport.isEmpty()) {
      return "";
    }
    line("### Transport cost: inferd ÷ a bare grpc-java server");
    line("");
    String callsTarget = String.format(Locale.ROOT, "%.2f", Results.TransportPair.CALLS_TARGET);
    String cpuTarget = String.format(Locale.ROOT, "%.1f", Results.TransportPair.CPU_TARGET);
    line(
        "ghz against inferd (BenchOnlyEngine, the production wiring) and against `BareGrpcServer`"
            + " (grpc-java's defaults and inferd's call executor, a FIFO ForkJoinPool with a worker"
            + " per core; for the paced rows grpc-java's cached pool, its handlers waiting between"
            + " tokens as inferd's engine threads do; the same proto, canned answers of the same"
            + " size, no interceptors, no request core), one connection each, rounds in alternating"
            + " order. The host's steal (the share of the machine's CPU time /proc/stat says the"
            + " hypervisor gave to other guests) can move from one round to the next on a shared"
            + " VM, and a round's figures with it, so alternating rounds do not cancel it: each"
            + " ratio is fitted over the point's rounds of both servers at equal steal (ln figure ="
            + " level + server + slope × steal, one slope for both; ± is its standard error), and"
            + " judged on that where steal was measured; the pooled ratio (mean of inferd's rounds"
            + " over the mean of the bare server's) is beside it. The round pairs column gives the"
            + " lowest and highest ratio of a round of inferd and the bare server's round beside"
            + " it, which is how far this machine moved the point from one minute to the next."
            + " Targets: at least "
            + callsTarget
            + "× the bare server's calls/s, at most "
            + cpuTarget
            + "× its server CPU per call. JIT is the part of that CPU the JVM's compiler threads"
            + " spent: code still being compiled, not a cost per call, and a large share means the"
            + " point was measured before the server reached its steady state; the column after it"
            + " leaves it out on both sides. The paced stream rows space both servers' tokens as"
            + " the row says, as a model does: each token is then its own write on both sides,"
            + " where unpaced the bare server writes its 256 chunks in one burst that Netty"
            + " coalesces into a few socket writes.");
    line("");
    table(
        "scenario",
        "callers",
        "inferd calls/s",
        "bare calls/s",
        "calls/s ratio",
        "inferd p50 / p99",
        "bare p50 / p99",
        "inferd CPU/call",
        "bare CPU/call",
        "CPU ratio",
        "JIT inferd / bare",
        "CPU ratio without JIT",
        "host steal inferd / bare",
        "round pairs: calls / CPU ratio");
    for (Results.TransportPair pair : r.transport) {
      row(
          pair.scenario(),
          pair.concurrency(),
          num(pair.inferd().callsPerSecond()),
          num(pair.bare().callsPerSecond()),
          verdict(
              pair,
              pair.callsAtEqualSteal(),
              pair.callsRatio(),
              Results.TransportPair.CALLS_TARGET,
              pair.callsMet(),
              "below " + callsTarget),
          us(pair.inferd().p50Us()) + " / " + us(pair.inferd().p99Us()),
          us(pair.bare().p50Us()) + " / " + us(pair.bare().p99Us()),
          us(pair.inferd().serverCpuSecondsPer1000() * 1000),
          us(pair.bare().serverCpuSecondsPer1000() * 1000),
          verdict(
              pair,
              pair.cpuAtEqualSteal(),
              pair.cpuRatio(),
              Results.TransportPair.CPU_TARGET,
              pair.cpuMet(),
              "above " + cpuTarget),
          percent(pair.inferd().serverJitShare()) + " / " + percent(pair.bare().serverJitShare()),
          String.format(Locale.ROOT, "%.2f×", pair.cpuRatioWithoutJit()),
          pair.stealMeasured()
              ? percent(pair.inferdStealShare()) + " / " + percent(pair.bareStealShare())
              : "-",
          roundSpread(pair));
    }
    line("");
    if (r.transport.stream().anyMatch(Results.TransportPair::stealMeasured)) {
      line(stealSummary(r.transport));
      line("");
    }
    if (!r.transportWarmups.isEmpty()) {
      line(warmups(r.transportWarmups));
      line("");
    }
    return md.toString();
  }

  /**
   * The ratio the target is judged on, then the pooled one: "0.97× ±0.03 (pooled 1.02×)", or the
   * pooled ratio alone where the rounds' steal was not measured.
   */
  static String verdict(
      Results.TransportPair pair,
      SteadyRatio atEqualSteal,
      double pooled,
      double target,
      boolean met,
      String missed) {
    if (!pair.stealMeasured()) {
      return againstTarget(pooled, target, met, missed);
    }
    String error =
        Double.isNaN(atEqualSteal.standardError())
            ? ""
            : String.format(Locale.ROOT, " ±%.2f", atEqualSteal.standardError());
    return shown(atEqualSteal.ratio(), target, met)
        + error
        + missedNote(met, missed)
        + String.format(Locale.ROOT, " (pooled %.2f×)", pooled);
  }

  /**
   * How much of the machine the host took during the rounds, and how much a point of it moved the
   * figures: the median of the points' fitted slopes, as a percentage change per point of steal.
   */
  static String stealSummary(List<Results.TransportPair> points) {
    List<Results.TransportPair> measured =
        points.stream().filter(Results.TransportPair::stealMeasured).toList();
    DoubleSummaryStatistics steal =
        measured.stream()
            .flatMap(p -> p.rounds().stream())
            .flatMapToDouble(r -> DoubleStream.of(r.inferdStealShare(), r.bareStealShare()))
            .summaryStatistics();
    return "In this run the host took "
        + percent(steal.getMin())
        + "-"
        + percent(steal.getMax())
        + " of the machine during a round; per point of steal a point's calls/s changed by "
        + perPoint(measured.stream().mapToDouble(p -> p.callsAtEqualSteal().slope()))
        + " and its CPU per call by "
        + perPoint(measured.stream().mapToDouble(p -> p.cpuAtEqualSteal().slope()))
        + " (the median of the points' fitted slopes).";
  }

  /** The median slope (ln figure per unit of steal share) as a signed change per point. */
  private static String perPoint(DoubleStream slopes) {
    double[] sorted = slopes.sorted().toArray();
    int middle = sorted.length / 2;
    double median =
        sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    double change = Math.exp(median / 100) - 1;
    return String.format(Locale.ROOT, "%+.1f%%", 100 * change).replace('-', '−');
  }

  /** The lowest and highest calls and CPU ratio of a point's round pairs, "-" without rounds. */
  static String roundSpread(Results.TransportPair pair) {
    if (pair.rounds().isEmpty()) {
      return "-";
    }
    return pair.callsRatioRange() + " / " + pair.cpuRatioRange();
  }

  /**
   * A ratio with two decimals, or three where two would round a miss onto its target (0.8996 is
   * "0.900× (below 0.90)", not "0.90× (below 0.90)").
   */
  static String againstTarget(double ratio, double target, boolean met, String missed) {
    return shown(ratio, target, met) + missedNote(met, missed);
  }

  private static String shown(double ratio, double target, boolean met) {
    String shown = String.format(Locale.ROOT, "%.2f", ratio);
    if (!met && Double.parseDouble(shown) == target) {
      shown = String.format(Locale.ROOT, "%.3f", ratio);
    }
    return shown + "×";
  }

  private static String missedNote(boolean met, String missed) {
    return met ? "" : " (" + missed + ")";
  }

  /** How long each server was loaded before each point, in the order they ran. */
  static String warmups(List<Results.Warmup> warmups) {
    Map<String, List<Results.Warmup>> byPoint = new LinkedHashMap<>();
    for (Results.Warmup warmup : warmups) {
      String point =
          warmup.scenario()
              + ", "
              + warmup.callers()
              + (warmup.callers() == 1 ? " caller" : " callers");
      byPoint.computeIfAbsent(point, p -> new ArrayList<>()).add(warmup);
    }
    List<String> points = new ArrayList<>();
    byPoint.forEach(
        (point, servers) -> {
          List<String> each = new ArrayList<>();
          for (Results.Warmup w : servers) {
            each.add(
                String.format(Locale.ROOT, "%s %.0f s", w.server(), w.seconds())
                    + (w.settled() ? "" : " (JIT still " + percent(w.jitShare()) + " at the cap)"));
          }
          points.add(point + ": " + String.join(", ", each));
        });
    return "Before each point each server was loaded by ghz at that point (its method and callers)"
        + " until its JIT compiler threads took under "
        + percent(warmups.getFirst().quietJitShare())
        + " of its CPU over one round's length: "
        + String.join("; ", points)
        + ".";
  }
}
