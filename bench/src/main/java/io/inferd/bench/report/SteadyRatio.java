package io.inferd.bench.report;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * inferd's figure over the bare server's at equal host steal, fitted over a point's rounds.
 *
 * <p>On a shared VM the hypervisor takes 2-38% of the machine per 3 s round (measured in /proc/stat
 * here), and a round's calls/s fall about 2.5% per point of it: alternating rounds cannot cancel a
 * share that changes between two neighbouring rounds. So both servers' rounds are fitted together,
 * {@code ln(figure) = level + server + slope × steal}, one slope for both (an analysis of
 * covariance), and the ratio is {@code exp(server)}: the servers compared at the same steal.
 * Without steal spread in the rounds the slope is left out and the ratio is the rounds' geometric
 * mean ratio.
 *
 * @param ratio inferd's figure over the bare server's at equal steal
 * @param standardError the ratio's standard error (delta method), NaN with too few rounds
 * @param slope the change of {@code ln(figure)} per unit of steal share (0 when not fitted)
 */
public record SteadyRatio(double ratio, double standardError, double slope) {
  /** Below this, the rounds' steal shares do not spread enough to fit a slope. */
  private static final double NO_SPREAD = 1e-9;

  /**
   * Fits one figure of the round pairs: {@code inferd} and {@code bare} read it off a pair, {@code
   * inferdSteal} and {@code bareSteal} the share the host took during each server's round.
   */
  static SteadyRatio fit(
      List<Results.RoundPair> rounds,
      ToDoubleFunction<Results.RoundPair> inferd,
      ToDoubleFunction<Results.RoundPair> bare) {
    List<Results.RoundPair> usable =
        rounds.stream()
            .filter(r -> inferd.applyAsDouble(r) > 0 && bare.applyAsDouble(r) > 0)
            .toList();
    Group ours = Group.of(usable, inferd, Results.RoundPair::inferdStealShare);
    Group theirs = Group.of(usable, bare, Results.RoundPair::bareStealShare);
    double spread = ours.sxx + theirs.sxx;
    boolean fitsSlope = spread > NO_SPREAD;
    double slope = fitsSlope ? (ours.sxy + theirs.sxy) / spread : 0;
    double difference = (ours.y - theirs.y) - slope * (ours.steal - theirs.steal);
    int observations = ours.n + theirs.n;
    int parameters = fitsSlope ? 3 : 2;
    double standardError = Double.NaN;
    if (ours.n > 0 && theirs.n > 0 && observations > parameters) {
      // never below 0: a line that fits exactly may round to a hair under it
      double residual = Math.max(0, ours.residual(slope) + theirs.residual(slope));
      double variance = residual / (observations - parameters);
      double lever = 1.0 / ours.n + 1.0 / theirs.n;
      if (fitsSlope) {
        double apart = ours.steal - theirs.steal;
        lever += apart * apart / spread;
      }
      standardError = Math.exp(difference) * Math.sqrt(variance * lever);
    }
    return new SteadyRatio(Math.exp(difference), standardError, slope);
  }

  /** One server's rounds: means of ln(figure) and steal, and their sums of squares about them. */
  private record Group(int n, double y, double steal, double sxx, double sxy, double syy) {
    static Group of(
        List<Results.RoundPair> rounds,
        ToDoubleFunction<Results.RoundPair> figure,
        ToDoubleFunction<Results.RoundPair> stealShare) {
      int n = rounds.size();
      if (n == 0) {
        return new Group(0, 0, 0, 0, 0, 0);
      }
      double[] y = new double[n];
      double[] s = new double[n];
      double meanY = 0;
      double meanS = 0;
      for (int i = 0; i < n; i++) {
        y[i] = Math.log(figure.applyAsDouble(rounds.get(i)));
        s[i] = stealShare.applyAsDouble(rounds.get(i));
        meanY += y[i] / n;
        meanS += s[i] / n;
      }
      double sxx = 0;
      double sxy = 0;
      double syy = 0;
      for (int i = 0; i < n; i++) {
        sxx += (s[i] - meanS) * (s[i] - meanS);
        sxy += (s[i] - meanS) * (y[i] - meanY);
        syy += (y[i] - meanY) * (y[i] - meanY);
      }
      return new Group(n, meanY, meanS, sxx, sxy, syy);
    }

    /** The sum of squared residuals about this group's line with the shared slope. */
    double residual(double slope) {
      return syy - 2 * slope * sxy + slope * slope * sxx;
    }
  }
}
