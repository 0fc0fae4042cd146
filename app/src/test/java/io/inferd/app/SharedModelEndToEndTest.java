package io.inferd.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.testing.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real pretrained stories260K model from ../shared/models, when the checkout has it. */
class SharedModelEndToEndTest {
  static LlamaGenerator stories;
  static RunningServer running;

  @BeforeAll
  static void start() throws Exception {
    Path file = SharedModels.stories260k().orElse(null);
    assumeTrue(file != null, "../shared/models/stories260K.gguf not present");
    stories = LlamaGenerator.load(file, new LlamaOptions(2, 2, 512));
    running = RunningServer.start(stories, 2, 4);
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
      stories.close();
    }
  }

  private static CompleteRequest story(int seed) {
    return CompleteRequest.newBuilder()
        .addMessages(
            Message.newBuilder()
                .setRole("user")
                .setContent("Once upon a time, there was a little girl"))
        .setTemperature(0.8f)
        .setTopP(0.95f)
        .setSeed(seed)
        .setMaxTokens(48)
        .build();
  }

  @Test
  void complete_writesEnglishText_deterministicUnderASeed() {
    CompleteResponse first = running.blocking().complete(story(3));
    CompleteResponse again = running.blocking().complete(story(3));
    String text = first.getChoices(0).getMessage().getContent();

    assertThat(text).isNotBlank().isEqualTo(again.getChoices(0).getMessage().getContent());
    assertThat(new String(text.getBytes(UTF_8), UTF_8)).isEqualTo(text);
    long letters = text.chars().filter(Character::isLetter).count();
    assertThat(letters).isGreaterThan(text.length() / 2);
    assertThat(text.split("\\s+").length).isGreaterThan(5);
    assertThat(first.getUsage().getCompletionTokens()).isBetween(1, 48);
  }

  @Test
  void streamComplete_yieldsTheSameTextAsComplete() {
    StringBuilder streamed = new StringBuilder();
    running
        .blocking()
        .streamComplete(story(5))
        .forEachRemaining(c -> streamed.append(c.getChoices(0).getDelta().getContent()));
    String unary = running.blocking().complete(story(5)).getChoices(0).getMessage().getContent();
    assertThat(streamed.toString()).isEqualTo(unary).isNotBlank();
  }
}
