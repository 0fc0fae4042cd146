package io.inferd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferd.bench.report.Results.GhzFigures;
import io.inferd.bench.report.Results.RoundPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class GhzFiguresTest {
  @Test
  void pooledRounds_addCallsAndWeighCpuAndMeanLatencyByEachRoundsCalls() {
    var first = new GhzFigures("ghz", 1000, 1, 100, 10, 8, 12, 20, 0.2, 0.4, 0.1);
    var second = new GhzFigures("ghz", 3000, 0, 300, 30, 28, 32, 40, 0.6, 0.8, 0.0);

    GhzFigures pooled = GhzFigures.pooled(List.of(first, second));

    assertThat(pooled.calls()).isEqualTo(4000);
    assertThat(pooled.errors()).isEqualTo(1);
    assertThat(pooled.callsPerSecond()).isCloseTo(200, within(1e-9));
    assertThat(pooled.meanUs()).isCloseTo(25, within(1e-9)); // (10×1000 + 30×3000) ÷ 4000
    assertThat(pooled.serverCpuSecondsPer1000()).isCloseTo(0.5, within(1e-9));
    assertThat(pooled.clientCpuSecondsPer1000()).isCloseTo(0.7, within(1e-9));
    assertThat(pooled.p99Us()).isCloseTo(30, within(1e-9));
    assertThat(pooled.serverJitSecondsPer1000()).isCloseTo(0.025, within(1e-9));
    assertThat(pooled.serverJitShare()).isCloseTo(0.05, within(1e-9)); // 0.025 of 0.5
    assertThat(GhzFigures.pooled(List.of(first))).isSameAs(first);
  }

  @Test
  void transportCpuRatio_withoutJit_leavesEachServersCompilerThreadsOut() {
    var inferd = new GhzFigures("ghz", 1000, 0, 100, 10, 8, 12, 20, 0.30, 0.4, 0.10);
    var bare = new GhzFigures("ghz", 1000, 0, 110, 9, 7, 11, 18, 0.25, 0.4, 0.05);

    var pair = new Results.TransportPair("unary", 16, inferd, bare);

    assertThat(pair.cpuRatio()).isCloseTo(1.2, within(1e-9)); // 0.30 ÷ 0.25
    assertThat(pair.cpuRatioWithoutJit()).isCloseTo(1.0, within(1e-9)); // 0.20 ÷ 0.20
    var jitOnlyInInferd =
        new Results.TransportPair("unary", 16, inferd, with(bare, bare.callsPerSecond(), 0));
    assertThat(jitOnlyInInferd.cpuRatioWithoutJit()).isCloseTo(0.8, within(1e-9)); // 0.20 ÷ 0.25
  }

  @Test
  void transportTargets_atLeast090CallsAndAtMost12Cpu() {
    var inferd = new GhzFigures("ghz", 1000, 0, 91, 10, 8, 12, 20, 0.31, 0.4, 0);
    var bare = new GhzFigures("ghz", 1000, 0, 100, 9, 7, 11, 18, 0.25, 0.4, 0);

    var pair = new Results.TransportPair("unary", 16, inferd, bare);

    assertThat(pair.callsMet()).isTrue(); // 0.91
    assertThat(pair.cpuMet()).isFalse(); // 1.24
    var swapped = new Results.TransportPair("unary", 16, bare, inferd);
    assertThat(swapped.callsMet()).isTrue(); // 1.10
    assertThat(swapped.cpuMet()).isTrue(); // 0.81
    var slow = new Results.TransportPair("unary", 16, with(inferd, 89, 0), bare);
    assertThat(slow.callsMet()).isFalse(); // 0.89
  }

  @Test
  void roundPairs_eachRoundOfInferdAgainstTheBareRoundBesideIt_lowestAndHighest() {
    var inferd = new GhzFigures("ghz", 1000, 0, 100, 10, 8, 12, 20, 0.30, 0.4, 0);
    var bare = new GhzFigures("ghz", 1000, 0, 100, 9, 7, 11, 18, 0.25, 0.4, 0);
    var slowMinute = new GhzFigures("ghz", 500, 0, 50, 20, 16, 24, 40, 0.45, 0.4, 0);
    var bareSlowMinute = new GhzFigures("ghz", 500, 0, 60, 18, 14, 22, 36, 0.30, 0.4, 0);

    var pair =
        new Results.TransportPair(
            "unary",
            16,
            inferd,
            bare,
            List.of(
                RoundPair.of(inferd, 0, bare, 0), RoundPair.of(slowMinute, 0, bareSlowMinute, 0)));

    assertThat(pair.callsRatioRange().lowest()).isCloseTo(50.0 / 60, within(1e-9));
    assertThat(pair.callsRatioRange().highest()).isCloseTo(1.0, within(1e-9));
    assertThat(pair.cpuRatioRange().lowest()).isCloseTo(1.2, within(1e-9));
    assertThat(pair.cpuRatioRange().highest()).isCloseTo(1.5, within(1e-9));
    assertThat(new Results.TransportPair("unary", 16, inferd, bare, null).rounds()).isEmpty();
  }

  @Test
  void withStealMeasured_theTargetsAreJudgedAtEqualSteal_notOnThePooledRatio() {
    var inferd = new GhzFigures("ghz", 1000, 0, 85, 10, 8, 12, 20, 0.30, 0.4, 0);
    var bare = new GhzFigures("ghz", 1000, 0, 100, 9, 7, 11, 18, 0.30, 0.4, 0);
    // inferd's rounds ran while the host took 10 points more, at 2% of calls/s per point
    List<RoundPair> rounds =
        List.of(
            new RoundPair(100 * Math.exp(-0.02 * 30), 100 * Math.exp(-0.02 * 20), 0.3, 0.3, .3, .2),
            new RoundPair(100 * Math.exp(-0.02 * 20), 100 * Math.exp(-0.02 * 10), 0.3, 0.3, .2, .1),
            new RoundPair(
                100 * Math.exp(-0.02 * 25), 100 * Math.exp(-0.02 * 5), 0.3, 0.3, .25, .05));

    var pair = new Results.TransportPair("unary", 16, inferd, bare, rounds);

    assertThat(pair.stealMeasured()).isTrue();
    assertThat(pair.callsRatio()).isCloseTo(0.85, within(1e-9));
    assertThat(pair.callsVerdictRatio()).isCloseTo(1.0, within(1e-9));
    assertThat(pair.callsMet()).isTrue();
    assertThat(pair.inferdStealShare()).isCloseTo(0.25, within(1e-9));
    assertThat(pair.bareStealShare()).isCloseTo(0.35 / 3, within(1e-9));
    var unmeasured =
        new Results.TransportPair(
            "unary", 16, inferd, bare, List.of(new RoundPair(85, 100, 0.3, 0.3)));
    assertThat(unmeasured.stealMeasured()).isFalse();
    assertThat(unmeasured.callsMet()).isFalse(); // pooled 0.85
  }

  /** {@code figures} with its calls/s and its server JIT replaced. */
  private static GhzFigures with(GhzFigures figures, double callsPerSecond, double serverJit) {
    return new GhzFigures(
        figures.tool(),
        figures.calls(),
        figures.errors(),
        callsPerSecond,
        figures.meanUs(),
        figures.p50Us(),
        figures.p90Us(),
        figures.p99Us(),
        figures.serverCpuSecondsPer1000(),
        figures.clientCpuSecondsPer1000(),
        serverJit);
  }
}
