package io.inferd.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferd.bench.peers.LlamaBenchRun.Figure;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaBenchRunTest {
  private static final List<Figure> FIRST_AND_LAST_TURN =
      List.of(
          new Figure("pp110", 0, 440, 1),
          new Figure("tg32", 0, 80, 1),
          new Figure("pp110", 1278, 220, 1),
          new Figure("tg32", 1278, 40, 1));

  @Test
  void turnRatio_isTheLastTurnsPrefillAndDecodeTimeOverTheFirsts() {
    // first: 110/440 + 32/80 = 0.65 s; last: 110/220 + 32/40 = 1.3 s
    assertThat(LlamaBenchRun.turnRatio(FIRST_AND_LAST_TURN, 110, 32, 1278).getAsDouble())
        .isCloseTo(2.0, within(1e-9));
  }

  @Test
  void turnRatio_isEmptyWithoutEveryFigureItNeeds() {
    List<Figure> figures = FIRST_AND_LAST_TURN.subList(0, 3); // no tg32 at depth
    assertThat(LlamaBenchRun.turnRatio(figures, 110, 32, 1278)).isEmpty();
    assertThat(LlamaBenchRun.turnRatio(figures, 110, 64, 0)).isEmpty();
  }

  @Test
  void theLastTurnStartsAfterEveryEarlierTurnsPromptAndReply() {
    assertThat(ChatRun.depthAtLastTurn(10, 100, 32))
        .isEqualTo(9 * (100 + ChatRun.TEMPLATE_TOKENS_PER_TURN + 32));
    assertThat(new Figure("tg32", 1278, 40, 1).label()).isEqualTo("tg32 @ d1278");
    assertThat(new Figure("tg128", 0, 90, 1).label()).isEqualTo("tg128");
  }
}
