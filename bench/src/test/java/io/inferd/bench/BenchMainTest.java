package io.inferd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private static final String FULL = "2026-12-02T14:25:11Z";
  private static final String GHZ_ONLY =
      "2026-12-02T16:43:41Z (--only ghz; the other phases from the run started " + FULL + ")";

  @Test
  void aPartialRunAfterAFullOne_namesTheFullRun() {
    assertThat(BenchMain.partialRunStartedAt("2026-12-02T17:00:00Z", List.of("ghz"), FULL))
        .isEqualTo(
            "2026-12-02T17:00:00Z (--only ghz; the other phases from the run started "
                + FULL
                + ")");
  }

  @Test
  void aPartialRunAfterOneOfTheSamePhases_stillNamesTheFullRun() {
    assertThat(BenchMain.partialRunStartedAt("2026-12-02T17:00:00Z", List.of("ghz"), GHZ_ONLY))
        .isEqualTo(
            "2026-12-02T17:00:00Z (--only ghz; the other phases from the run started "
                + FULL
                + ")");
  }

  @Test
  void aPartialRunAfterOneOfOtherPhases_namesBothEarlierRuns() {
    assertThat(BenchMain.partialRunStartedAt("2026-12-02T17:00:00Z", List.of("peers"), GHZ_ONLY))
        .isEqualTo(
            "2026-12-02T17:00:00Z (--only peers; the other phases from the run started "
                + GHZ_ONLY
                + ")");
  }
}
