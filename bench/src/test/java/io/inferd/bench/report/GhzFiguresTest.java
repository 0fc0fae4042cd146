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
            List.of(RoundPair.of(inferd, bare), RoundPair.of(slowMinute, bareSlowMinute)));

    assertThat(pair.callsRatioRange().lowest()).isCloseTo(50.0 / 60, within(1e-9));
    assertThat(pair.callsRatioRange().highest()).isCloseTo(1.0, within(1e-9));
    assertThat(pair.cpuRatioRange().lowest()).isCloseTo(1.2, within(1e-9));
    assertThat(pair.cpuRatioRange().highest()).isCloseTo(1.5, within(1e-9));
    assertThat(new Results.TransportPair("unary", 16, inferd, bare, null).rounds()).isEmpty();
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
