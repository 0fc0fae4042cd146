package io.inferd.engine.llama;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.Prompt;
import io.inferd.engine.Sampling;
import io.inferd.engine.Turn;
import io.inferd.engine.testing.SharedModels;
import io.inferd.engine.testing.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaGeneratorTest {
  @TempDir static Path dir;
  static LlamaGenerator templated;

  @BeforeAll
  static void load() throws Exception {
    Path file =
        TinyGguf.builder().chatTemplate(TinyGguf.CHATML_TEMPLATE).write(dir.resolve("chat.gguf"));
    templated = LlamaGenerator.load(file, new LlamaOptions(2, 2, 256));
  }

  @AfterAll
  static void close() {
    templated.close();
  }

  private static GenerationRequest request(Prompt prompt, int maxTokens, Sampling sampling) {
    return new GenerationRequest(prompt, maxTokens, sampling);
  }

  @Test
  void render_appliesTheModelsChatTemplate_andCountsTokens() {
    Prompt prompt = templated.render(List.of(Turn.system("be brief"), Turn.user("the cat")));
    assertThat(prompt.text())
        .contains("<|im_start|>system\nbe brief<|im_end|>")
        .contains("<|im_start|>user\nthe cat<|im_end|>")
        .endsWith("<|im_start|>assistant\n");
    assertThat(prompt.tokenCount()).isGreaterThan(5);
    assertThat(templated.contextLength()).isEqualTo(256);
  }

  @Test
  void render_withoutTemplate_continuesThePlainText() throws Exception {
    Path file = TinyGguf.builder().write(dir.resolve("plain.gguf"));
    try (LlamaGenerator plain = LlamaGenerator.load(file, new LlamaOptions(1, 1, 128))) {
      Prompt prompt = plain.render(List.of(Turn.user("the cat"), Turn.user("sat")));
      assertThat(prompt.text()).isEqualTo("the cat\nsat");
      assertThat(plain.chatFormat()).isEqualTo(ChatRenderer.Format.PLAIN);
    }
  }

  @Test
  void generate_streamsEveryToken_andStopsAtMaxTokens() {
    Prompt prompt = templated.render(List.of(Turn.user("the cat")));
    List<String> tokens = new ArrayList<>();
    Generation g = templated.generate(request(prompt, 12, Sampling.greedy()), tokens::add);

    assertThat(g.completionTokens()).isEqualTo(tokens.size()).isLessThanOrEqualTo(12);
    assertThat(String.join("", tokens)).isEqualTo(g.text());
    assertThat(g.promptTokens()).isEqualTo(prompt.tokenCount());
    assertThat(g.finishReason())
        .isEqualTo(g.completionTokens() == 12 ? FinishReason.LENGTH : FinishReason.STOP);
  }

  @Test
  void generate_endingByLengthInsideACharacter_callsTheSinkOncePerToken() {
    // Sampled freely, the tiny model sometimes picks a byte token that starts a multi-byte
    // character; a generation of one token must still reach the sink once, with U+FFFD.
    Prompt prompt = templated.render(List.of(Turn.user("the cat")));
    int endedInsideACharacter = 0;
    for (int seed = 0; seed < 100; seed++) {
      List<String> pieces = new ArrayList<>();
      Sampling sampling = new Sampling(2.0f, 1.0f, OptionalInt.of(seed));
      Generation g = templated.generate(request(prompt, 1, sampling), pieces::add);
      assertThat(pieces).as("seed %d", seed).hasSize(g.completionTokens());
      assertThat(String.join("", pieces)).isEqualTo(g.text());
      if (g.text().contains("\uFFFD")) {
        endedInsideACharacter++;
      }
    }
    assertThat(endedInsideACharacter).as("seeds whose one token began a character").isPositive();
  }

  @Test
  void generate_sameSeed_sameText() {
    Prompt prompt = templated.render(List.of(Turn.user("a dog")));
    Sampling sampling = new Sampling(1.0f, 0.95f, OptionalInt.of(42));
    String first = templated.generate(request(prompt, 16, sampling), t -> true).text();
    String second = templated.generate(request(prompt, 16, sampling), t -> true).text();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void generate_sinkReturningFalse_stopsAfterThatToken_andModelStaysUsable() {
    Prompt prompt = templated.render(List.of(Turn.user("the cat")));
    int[] seen = {0};
    Generation stopped =
        templated.generate(request(prompt, 100, Sampling.greedy()), t -> ++seen[0] < 3);

    assertThat(stopped.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(seen[0]).isEqualTo(3);
    assertThat(stopped.completionTokens()).isEqualTo(3);

    Generation after = templated.generate(request(prompt, 5, Sampling.greedy()), t -> true);
    assertThat(after.completionTokens()).isPositive();
  }

  @Test
  void load_rejectsAFileThatIsNotGguf() throws Exception {
    Path bogus = Files.writeString(dir.resolve("bogus.gguf"), "not a model", UTF_8);
    assertThatThrownBy(() -> LlamaGenerator.load(bogus, new LlamaOptions(1, 1, 0)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bogus.gguf");
  }

  @Test
  void load_anArchitectureLlamaCppDoesNotKnow_failsNamingTheFileAndTheReason() throws Exception {
    byte[] bytes = Files.readAllBytes(TinyGguf.builder().write(dir.resolve("src.gguf")));
    // Same length, so the file stays well-formed: every "llama" key and value becomes "zzzzz".
    String latin1 =
        new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("llama", "zzzzz");
    Path unknown =
        Files.write(
            dir.resolve("unknown-arch.gguf"),
            latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> LlamaGenerator.load(unknown, new LlamaOptions(1, 1, 0)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("unknown-arch.gguf")
        .hasMessageContaining("zzzzz");
  }

  @Test
  void sharedStoriesModel_generatesDeterministicUtf8Text() {
    Path stories = SharedModels.stories260k().orElse(null);
    assumeTrue(stories != null, "../shared/models/stories260K.gguf not present");
    try (LlamaGenerator model = LlamaGenerator.load(stories, new LlamaOptions(2, 1, 512))) {
      Prompt prompt = model.render(List.of(Turn.user("Once upon a time")));
      assertThat(prompt.text()).isEqualTo("Once upon a time"); // no chat template in the file
      Sampling sampling = new Sampling(0.8f, 0.95f, OptionalInt.of(7));
      Generation first = model.generate(request(prompt, 40, sampling), t -> true);
      Generation second = model.generate(request(prompt, 40, sampling), t -> true);

      assertThat(first.text()).isNotBlank().isEqualTo(second.text());
      assertThat(new String(first.text().getBytes(UTF_8), UTF_8)).isEqualTo(first.text());
      assertThat(first.text().chars().filter(Character::isLetter).count())
          .isGreaterThan(first.text().length() / 2);
      assertThat(first.completionTokens()).isBetween(1, 40);
    }
  }
}
