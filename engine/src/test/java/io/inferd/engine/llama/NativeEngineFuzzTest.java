package io.inferd.engine.llama;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.PromptTooLongException;
import io.inferd.engine.Sampling;
import io.inferd.engine.Turn;
import io.inferd.engine.testing.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Fuzzes everything a request can hand the native engine: prompt bytes (special-token text
 * included), sampler values, GBNF grammars, token ids and chat contents. A rejected value must
 * surface as an IllegalArgumentException; anything else — above all a crashed JVM — is a bug.
 *
 * <p>CI runs the seeds under src/test/resources; {@code JAZZER_FUZZ=1 mvn test -pl engine
 * -Dtest=NativeEngineFuzzTest} fuzzes for {@code maxDuration}.
 */
class NativeEngineFuzzTest {
  private static LlamaGenerator model;

  private static synchronized LlamaGenerator model() throws Exception {
    if (model == null) {
      Path dir = Files.createTempDirectory("inferd-native-fuzz");
      Path file =
          TinyGguf.builder().chatTemplate(TinyGguf.CHATML_TEMPLATE).write(dir.resolve("tiny.gguf"));
      model = LlamaGenerator.load(file, new LlamaOptions(1, 1, 128));
    }
    return model;
  }

  @FuzzTest(maxDuration = "60s")
  void anyPromptSamplingAndGrammar_generatesOrIsRejected(FuzzedDataProvider data) throws Exception {
    LlamaGenerator m = model();
    try {
      Sampling sampling =
          new Sampling(
              data.consumeFloat(),
              data.consumeFloat(),
              data.consumeInt(),
              data.consumeFloat(),
              data.consumeFloat(),
              data.consumeFloat(),
              data.consumeFloat(),
              data.consumeInt(),
              data.consumeBoolean() ? OptionalInt.of(data.consumeInt()) : OptionalInt.empty(),
              data.consumeBoolean() ? Optional.of(data.consumeString(400)) : Optional.empty());
      GenerationRequest request =
          new GenerationRequest(
              m.raw(data.consumeString(300)),
              data.consumeInt(1, 6),
              sampling,
              OptionalLong.empty(),
              data.consumeInt(-1, 20));
      m.generate(request, t -> true);
    } catch (IllegalArgumentException | PromptTooLongException expected) {
      // a value the engine refuses, named in the message
    }
  }

  @FuzzTest(maxDuration = "30s")
  void anyTokenIdsAndText_tokenizeOrAreRejected(FuzzedDataProvider data) throws Exception {
    LlamaGenerator m = model();
    try {
      m.tokenize(data.consumeString(500), data.consumeBoolean());
      m.detokenize(data.consumeInts(64));
    } catch (IllegalArgumentException expected) {
      // an id outside the vocabulary
    }
  }

  @FuzzTest(maxDuration = "30s")
  void anyConversation_rendersOrIsRejected(FuzzedDataProvider data) throws Exception {
    LlamaGenerator m = model();
    try {
      m.render(List.of(Turn.system(data.consumeString(100)), Turn.user(data.consumeString(300))));
    } catch (IllegalArgumentException | PromptTooLongException expected) {
      // e.g. a template's raise_exception
    }
  }
}
