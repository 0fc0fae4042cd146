package io.inferd.bench.report;

/**
 * How a measured effect compares with the effect a claim states: the report's one rule, so every
 * claim is judged alike. Supported: at least 85% of the claimed effect. Partly: the same direction,
 * smaller. Not supported: within ±15% (a factor) or ±10 points (a reduction). Contradicted: the
 * other way.
 */
enum Verdict {
  SUPPORTED,
  PARTLY,
  NOT_SUPPORTED,
  CONTRADICTED,
  NOT_MEASURED;

  /** Share of the claimed effect that still counts as supporting it. */
  static final double SUPPORTED_SHARE = 0.85;

  /** A factor this close to 1 (either way) is no material difference. */
  static final double FACTOR_NOISE = 1.15;

  /** A reduction this close to 0 (either way) is no material difference. */
  static final double REDUCTION_NOISE = 0.10;

  /** "X is {@code claimed}× better", measured as {@code measured}× (above 1: X is better). */
  static Verdict ofFactor(double measured, double claimed) {
    if (!Double.isFinite(measured)) {
      return NOT_MEASURED;
    }
    if (measured >= SUPPORTED_SHARE * claimed) {
      return SUPPORTED;
    }
    if (measured >= FACTOR_NOISE) {
      return PARTLY;
    }
    return measured > 1 / FACTOR_NOISE ? NOT_SUPPORTED : CONTRADICTED;
  }

  /** "X uses {@code claimed} less" (a fraction), measured as a {@code measured} reduction. */
  static Verdict ofReduction(double measured, double claimed) {
    if (!Double.isFinite(measured)) {
      return NOT_MEASURED;
    }
    if (measured >= SUPPORTED_SHARE * claimed) {
      return SUPPORTED;
    }
    if (measured >= REDUCTION_NOISE) {
      return PARTLY;
    }
    return measured > -REDUCTION_NOISE ? NOT_SUPPORTED : CONTRADICTED;
  }

  /** The verdict in the report's words, with what "partly" and "contradicted" mean here. */
  String markdown(String partlyMeans, String contradictedMeans) {
    return switch (this) {
      case SUPPORTED -> "**supported**";
      case PARTLY -> "**partly**: " + partlyMeans;
      case NOT_SUPPORTED -> "**not supported**: no material difference";
      case CONTRADICTED -> "**contradicted**: " + contradictedMeans;
      case NOT_MEASURED -> "not measured";
    };
  }
}
