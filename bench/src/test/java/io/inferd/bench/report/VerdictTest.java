package io.inferd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerdictTest {
  @Test
  void aFactor_isSupportedFrom85PercentOfTheClaim() {
    assertThat(Verdict.ofFactor(8.5, 10)).isEqualTo(Verdict.SUPPORTED);
    assertThat(Verdict.ofFactor(12, 10)).isEqualTo(Verdict.SUPPORTED);
    assertThat(Verdict.ofFactor(8.4, 10)).isEqualTo(Verdict.PARTLY);
  }

  @Test
  void aFactor_within15Percent_isNoMaterialDifference_andBelowThatContradicts() {
    assertThat(Verdict.ofFactor(1.15, 10)).isEqualTo(Verdict.PARTLY);
    assertThat(Verdict.ofFactor(1.14, 10)).isEqualTo(Verdict.NOT_SUPPORTED);
    assertThat(Verdict.ofFactor(1 / 1.14, 10)).isEqualTo(Verdict.NOT_SUPPORTED);
    assertThat(Verdict.ofFactor(0.8, 10)).isEqualTo(Verdict.CONTRADICTED);
    assertThat(Verdict.ofFactor(Double.NaN, 10)).isEqualTo(Verdict.NOT_MEASURED);
  }

  @Test
  void aReduction_usesTenPointsAsItsNoise() {
    assertThat(Verdict.ofReduction(0.35, 0.40)).isEqualTo(Verdict.SUPPORTED);
    assertThat(Verdict.ofReduction(0.10, 0.40)).isEqualTo(Verdict.PARTLY);
    assertThat(Verdict.ofReduction(0.09, 0.40)).isEqualTo(Verdict.NOT_SUPPORTED);
    assertThat(Verdict.ofReduction(-0.10, 0.40)).isEqualTo(Verdict.CONTRADICTED);
    assertThat(Verdict.ofReduction(Double.POSITIVE_INFINITY, 0.40)).isEqualTo(Verdict.NOT_MEASURED);
  }

  @Test
  void markdown_saysWhatPartlyAndContradictedMeanForTheClaim() {
    assertThat(Verdict.SUPPORTED.markdown("p", "c")).isEqualTo("**supported**");
    assertThat(Verdict.PARTLY.markdown("gRPC is better, by less than claimed", "c"))
        .isEqualTo("**partly**: gRPC is better, by less than claimed");
    assertThat(Verdict.CONTRADICTED.markdown("p", "REST/JSON is better here"))
        .isEqualTo("**contradicted**: REST/JSON is better here");
    assertThat(Verdict.NOT_SUPPORTED.markdown("p", "c"))
        .isEqualTo("**not supported**: no material difference");
  }
}
