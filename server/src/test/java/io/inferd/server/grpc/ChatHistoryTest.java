package io.inferd.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.Turn;
import org.junit.jupiter.api.Test;

class ChatHistoryTest {
  @Test
  void manyLargeTurns_keepTheHistoryUnderItsByteBound_andTheSystemPrompt() {
    var history = new ChatHistory();
    history.setSystem(Turn.system("be brief"));
    String fourMegabytes = "x".repeat(4 << 20);
    for (int i = 0; i < 250; i++) {
      history.add(Turn.assistant(fourMegabytes));
    }
    assertThat(history.bytes()).isLessThanOrEqualTo(ChatHistory.MAX_BYTES);
    assertThat(history.size()).isEqualTo(2);
    assertThat(history.snapshot().getFirst().content()).isEqualTo("be brief");
  }
}
