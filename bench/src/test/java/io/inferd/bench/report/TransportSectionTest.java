package io.inferd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TransportSectionTest {
  @Test
  void aMissCloserToTheTargetThanTwoDecimalsShow_getsThree() {
    assertThat(TransportSection.againstTarget(0.8996, 0.90, false, "below 0.90"))
        .isEqualTo("0.900× (below 0.90)");
    assertThat(TransportSection.againstTarget(1.2004, 1.2, false, "above 1.2"))
        .isEqualTo("1.200× (above 1.2)");
    assertThat(TransportSection.againstTarget(0.87, 0.90, false, "below 0.90"))
        .isEqualTo("0.87× (below 0.90)");
    assertThat(TransportSection.againstTarget(0.9004, 0.90, true, "below 0.90")).isEqualTo("0.90×");
  }

  @Test
  void verdict_showsTheRatioAtEqualStealWithItsError_thenThePooledOne_orThePooledAlone() {
    var figures = new Results.GhzFigures("ghz", 1000, 0, 100, 10, 8, 12, 20, 0.30, 0.4, 0);
    var measured =
        new Results.TransportPair(
            "unary",
            16,
            figures,
            figures,
            List.of(
                new Results.RoundPair(88, 100, 0.3, 0.3, 0.2, 0.1),
                new Results.RoundPair(90, 100, 0.3, 0.3, 0.1, 0.3)));
    var unmeasured = new Results.TransportPair("unary", 16, figures, figures);

    assertThat(
            TransportSection.verdict(
                measured, new SteadyRatio(0.87, 0.031, -2), 0.89, 0.90, false, "below 0.90"))
        .isEqualTo("0.87× ±0.03 (below 0.90) (pooled 0.89×)");
    assertThat(
            TransportSection.verdict(
                measured, new SteadyRatio(0.97, Double.NaN, 0), 0.89, 0.90, true, "below 0.90"))
        .isEqualTo("0.97× (pooled 0.89×)");
    assertThat(
            TransportSection.verdict(
                unmeasured, new SteadyRatio(0.5, 0.1, 0), 0.95, 0.90, true, "below 0.90"))
        .isEqualTo("0.95×");
  }

  @Test
  void stealSummary_givesTheRoundsStealRange_andTheMedianChangePerPointOfSteal() {
    var figures = new Results.GhzFigures("ghz", 1000, 0, 100, 10, 8, 12, 20, 0.30, 0.4, 0);
    // calls/s fall by 2% and CPU per call rises by 1% per point of steal, on both servers
    var rounds =
        List.of(round(0.05, 0.30), round(0.20, 0.10), round(0.40, 0.02), round(0.15, 0.25));
    var measured = new Results.TransportPair("unary", 16, figures, figures, rounds);
    var unmeasured = new Results.TransportPair("unary", 1, figures, figures);

    assertThat(TransportSection.stealSummary(List.of(measured, unmeasured)))
        .isEqualTo(
            "In this run the host took 2%-40% of the machine during a round; per point of steal a"
                + " point's calls/s changed by −2.0% and its CPU per call by +1.0% (the median of"
                + " the points' fitted slopes).");
  }

  private static Results.RoundPair round(double inferdSteal, double bareSteal) {
    double callsSlope = 100 * Math.log(0.98); // ln change per unit of steal share
    double cpuSlope = 100 * Math.log(1.01);
    return new Results.RoundPair(
        100 * Math.exp(callsSlope * inferdSteal),
        100 * Math.exp(callsSlope * bareSteal),
        0.3 * Math.exp(cpuSlope * inferdSteal),
        0.3 * Math.exp(cpuSlope * bareSteal),
        inferdSteal,
        bareSteal);
  }

  @Test
  void warmups_sayHowLongEachServerWasLoaded_perPoint_andWhichOnesHitTheCap() {
    String line =
        TransportSection.warmups(
            List.of(
                new Results.Warmup("unary", 1, "inferd", 35, 0.03, 0.05),
                new Results.Warmup("unary", 1, "bare", 25, 0.02, 0.05),
                new Results.Warmup("unary", 16, "inferd", 10, 0.01, 0.05),
                new Results.Warmup("unary", 16, "bare", 5, 0.04, 0.05),
                new Results.Warmup("stream", 16, "inferd", 120, 0.08, 0.05),
                new Results.Warmup("stream", 16, "bare", 45, 0.04, 0.05)));

    assertThat(line)
        .contains("under 5% of its CPU")
        .endsWith(
            ": unary, 1 caller: inferd 35 s, bare 25 s; unary, 16 callers: inferd 10 s, bare 5 s;"
                + " stream, 16 callers: inferd 120 s (JIT still 8% at the cap), bare 45 s.");
  }

  @Test
  void roundSpread_givesTheLowestAndHighestRatioOfARoundPair_orADashWithoutRounds() {
    var inferd = new Results.GhzFigures("ghz", 1000, 0, 100, 10, 8, 12, 20, 0.30, 0.4, 0);
    var bare = new Results.GhzFigures("ghz", 1000, 0, 100, 9, 7, 11, 18, 0.25, 0.4, 0);
    var rounds =
        List.of(
            new Results.RoundPair(95, 100, 0.30, 0.25), // 0.95×, 1.20×
            new Results.RoundPair(80, 100, 0.33, 0.30), // 0.80×, 1.10×
            new Results.RoundPair(105, 100, 0.39, 0.30)); // 1.05×, 1.30×

    assertThat(
            TransportSection.roundSpread(
                new Results.TransportPair("unary", 16, inferd, bare, rounds)))
        .isEqualTo("0.80-1.05× / 1.10-1.30×");
    assertThat(TransportSection.roundSpread(new Results.TransportPair("unary", 16, inferd, bare)))
        .isEqualTo("-");
  }
}
