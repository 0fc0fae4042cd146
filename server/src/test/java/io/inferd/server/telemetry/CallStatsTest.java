package io.inferd.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.server.core.GenerationObserver.Phases;
import org.junit.jupiter.api.Test;

class CallStatsTest {
  private final CallStats stats = new CallStats("grpc", "Complete", null, 1_000);

  private static Phases generation(long firstToken) {
    return new Phases(0, 1_000, 1_100, firstToken, 9_000, 3, firstToken == 0 ? 0 : 2);
  }

  @Test
  void noGeneration_hasNoFirstToken() {
    assertThat(stats.timeToFirstTokenNanos()).isEqualTo(-1);
  }

  @Test
  void aGenerationWithoutTokens_leavesTheFirstTokenUnset() {
    stats.generated(generation(0));

    assertThat(stats.timeToFirstTokenNanos()).isEqualTo(-1);
  }

  @Test
  void theEarliestFirstTokenOfTheCallsGenerations_counts_inWhateverOrderTheyEnd() {
    stats.generated(generation(2_500)); // choice 1 ended first
    stats.generated(generation(1_500));
    stats.generated(generation(0));
    stats.generated(generation(4_000));

    assertThat(stats.timeToFirstTokenNanos()).isEqualTo(500);
  }
}
