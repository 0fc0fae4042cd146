package io.inferd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import org.junit.jupiter.api.Test;

class PromptsTest {
  @Test
  void complete_userPromptOnly_sendsOneUserMessage() {
    CompleteRequest request = Prompts.complete("hi");

    assertThat(request.getMessagesList()).containsExactly(Prompts.message("user", "hi"));
    assertThat(request.getModel()).isEmpty();
  }

  @Test
  void complete_withSystemPrompt_putsItFirst() {
    CompleteRequest request = Prompts.complete("Be brief.", "hi");

    assertThat(request.getMessagesList())
        .extracting(Message::getRole, Message::getContent)
        .containsExactly(tuple("system", "Be brief."), tuple("user", "hi"));
  }

  @Test
  void complete_blankSystemPrompt_isLeftOut() {
    assertThat(Prompts.complete("  ", "hi").getMessagesCount()).isEqualTo(1);
  }
}
