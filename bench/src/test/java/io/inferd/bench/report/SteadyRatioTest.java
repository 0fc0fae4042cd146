package io.inferd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferd.bench.report.Results.RoundPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SteadyRatioTest {
  /** A machine where every point of steal costs 2.5% of calls/s, whichever server runs. */
  private static double callsAt(double level, double steal) {
    return level * Math.exp(-2.5 * steal);
  }

  @Test
  void inferdsRoundsTakingMoreSteal_doNotMakeItLookSlower_theFitRecoversTheTrueRatio() {
    double[] inferdSteal = {0.25, 0.30, 0.20, 0.35};
    double[] bareSteal = {0.05, 0.10, 0.08, 0.12};
    List<RoundPair> rounds = new ArrayList<>();
    for (int i = 0; i < inferdSteal.length; i++) {
      rounds.add(
          new RoundPair(
              callsAt(950, inferdSteal[i]),
              callsAt(1000, bareSteal[i]),
              0.3,
              0.3,
              inferdSteal[i],
              bareSteal[i]));
    }

    SteadyRatio fitted =
        SteadyRatio.fit(rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);

    assertThat(fitted.ratio()).isCloseTo(0.95, within(1e-9));
    assertThat(fitted.slope()).isCloseTo(-2.5, within(1e-9));
    assertThat(fitted.standardError()).isCloseTo(0, within(1e-6)); // the line fits exactly
    double pooledLooks = rounds.stream().mapToDouble(RoundPair::callsRatio).average().orElseThrow();
    assertThat(pooledLooks).isLessThan(0.65); // what alternating rounds alone would report
  }

  @Test
  void lessStealOnInferdsSide_cutsTheOtherWay() {
    List<RoundPair> rounds =
        List.of(
            new RoundPair(callsAt(900, 0.05), callsAt(1000, 0.30), 0.3, 0.3, 0.05, 0.30),
            new RoundPair(callsAt(900, 0.10), callsAt(1000, 0.20), 0.3, 0.3, 0.10, 0.20),
            new RoundPair(callsAt(900, 0.02), callsAt(1000, 0.25), 0.3, 0.3, 0.02, 0.25));

    SteadyRatio fitted =
        SteadyRatio.fit(rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);

    assertThat(rounds).allMatch(r -> r.callsRatio() > 1); // looks faster in every pair
    assertThat(fitted.ratio()).isCloseTo(0.90, within(1e-9));
  }

  @Test
  void withoutStealSpread_theRatioIsTheRoundsGeometricMeanRatio_andNoSlopeIsFitted() {
    List<RoundPair> rounds =
        List.of(new RoundPair(80, 100, 0.3, 0.3), new RoundPair(125, 100, 0.3, 0.3));

    SteadyRatio fitted =
        SteadyRatio.fit(rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);

    assertThat(fitted.ratio()).isCloseTo(1.0, within(1e-9)); // √(0.8 × 1.25)
    assertThat(fitted.slope()).isZero();
    assertThat(fitted.standardError()).isPositive();
  }

  @Test
  void noisyRounds_haveAStandardError_andOnePairHasNone() {
    List<RoundPair> rounds =
        List.of(
            new RoundPair(0.9 * callsAt(1000, 0.1), callsAt(1000, 0.2), 0.3, 0.3, 0.1, 0.2),
            new RoundPair(1.1 * callsAt(1000, 0.3), callsAt(1000, 0.1), 0.3, 0.3, 0.3, 0.1),
            new RoundPair(callsAt(1000, 0.2), 1.05 * callsAt(1000, 0.3), 0.3, 0.3, 0.2, 0.3));

    SteadyRatio fitted =
        SteadyRatio.fit(rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);
    SteadyRatio onePair =
        SteadyRatio.fit(
            rounds.subList(0, 1), RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);

    assertThat(fitted.standardError()).isBetween(0.01, 0.5);
    assertThat(onePair.standardError()).isNaN();
    assertThat(onePair.ratio()).isCloseTo(rounds.getFirst().callsRatio(), within(1e-9));
  }

  @Test
  void roundsWithoutCalls_areLeftOut() {
    List<RoundPair> rounds =
        List.of(
            new RoundPair(90, 100, 0.3, 0.3, 0.1, 0.1),
            new RoundPair(0, 100, 0.3, 0.3, 0.2, 0.1),
            new RoundPair(90, 100, 0.3, 0.3, 0.3, 0.3));

    SteadyRatio fitted =
        SteadyRatio.fit(rounds, RoundPair::inferdCallsPerSecond, RoundPair::bareCallsPerSecond);

    assertThat(fitted.ratio()).isCloseTo(0.9, within(1e-9));
  }
}
