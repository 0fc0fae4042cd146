package io.inferd.server.rest;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferd.engine.ModelNotFoundException;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.testing.TinyGguf;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.CompletionInput.InputMessage;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.LimitExceededException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes what clients control: raw REST bodies through the JSON mapping, and any field values
 * through the request core (validation, model lookup, chat template and tokenizer in native code).
 * The only acceptable failures are the client-error exceptions; anything else — or a crashed JVM —
 * is a bug.
 *
 * <p>In CI this runs the seeds under src/test/resources (regression mode); {@code JAZZER_FUZZ=1 mvn
 * test -pl server -Dtest=RequestFuzzTest} fuzzes for the {@code maxDuration} of each target.
 */
class RequestFuzzTest {
  private static InferenceCore core;

  private static synchronized InferenceCore core() throws Exception {
    if (core == null) {
      Path dir = Files.createTempDirectory("inferd-fuzz");
      Path model =
          TinyGguf.builder().chatTemplate(TinyGguf.CHATML_TEMPLATE).write(dir.resolve("tiny.gguf"));
      var registry =
          ModelRegistry.builder()
              .generator("tiny", LlamaGenerator.load(model, new LlamaOptions(1, 1, 256)))
              .build();
      core =
          new InferenceCore(
              registry, new Scheduler(1, 1, 100), new CoreLimits(16, 64, 8, 0.7f, 200));
    }
    return core;
  }

  private static boolean isClientError(RuntimeException e) {
    return e instanceof InvalidRequestException
        || e instanceof LimitExceededException
        || e instanceof ModelNotFoundException;
  }

  @FuzzTest(maxDuration = "30s")
  void restChatBody_isAcceptedOrRejectedAsAClientError(byte[] body) throws Exception {
    try {
      ObjectNode json = Json.parseObject(body);
      core().plan(OpenAiJson.chatRequest(json).input());
    } catch (RuntimeException e) {
      if (!isClientError(e)) {
        throw e;
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void restEmbeddingBody_isAcceptedOrRejectedAsAClientError(byte[] body) {
    try {
      OpenAiJson.embeddingRequest(Json.parseObject(body));
    } catch (RuntimeException e) {
      if (!isClientError(e)) {
        throw e;
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void anyFieldValues_areAcceptedOrRejectedAsAClientError(FuzzedDataProvider data)
      throws Exception {
    List<InputMessage> messages = new ArrayList<>();
    int count = data.consumeInt(0, 4);
    for (int i = 0; i < count; i++) {
      messages.add(new InputMessage(data.consumeString(12), data.consumeString(200)));
    }
    var input =
        new CompletionInput(
            data.consumeString(10),
            messages,
            data.consumeFloat(),
            data.consumeInt(),
            data.consumeBoolean() ? data.consumeFloat() : null,
            data.consumeBoolean() ? data.consumeInt() : null);
    try {
      core().plan(input);
    } catch (RuntimeException e) {
      if (!isClientError(e)) {
        throw e;
      }
    }
  }
}
