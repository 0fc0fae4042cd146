package io.inferd.app.cli;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.client.Prompts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The request options of {@code complete} and {@code stream}. */
final class GenerationOptions {
  @Option(
      names = {"-m", "--model"},
      order = 1,
      paramLabel = "MODEL",
      description = "Model name (default: the server's default model).")
  String model = "";

  @Option(
      names = {"-s", "--system"},
      order = 2,
      paramLabel = "TEXT",
      description = "System prompt, sent before the user prompt.")
  String system;

  @Option(
      names = "--temperature",
      order = 3,
      paramLabel = "T",
      description = "Sampling temperature in [0, 2]; 0 is greedy (default: 0).")
  float temperature;

  @Option(
      names = "--top-p",
      order = 4,
      paramLabel = "P",
      description = "Nucleus sampling threshold in (0, 1] (default: the server's).")
  Float topP;

  @Option(
      names = "--seed",
      order = 5,
      paramLabel = "N",
      description = "Sampling seed, for repeatable answers (default: the server's).")
  Integer seed;

  @Option(
      names = "--max-tokens",
      order = 6,
      paramLabel = "N",
      description = "Tokens to generate at most; 0 means the server's default (default: 0).")
  int maxTokens;

  @Option(
      names = "--stop",
      order = 7,
      paramLabel = "TEXT",
      description = "Stop before this text (repeat for up to 4); it is not printed.")
  List<String> stop = new ArrayList<>();

  @Option(
      names = "--top-k",
      order = 8,
      paramLabel = "K",
      description = "Sample from the K most likely tokens only; 0 is off (default: off).")
  Integer topK;

  @Option(
      names = "--min-p",
      order = 9,
      paramLabel = "P",
      description = "Drop tokens less likely than P times the most likely one (default: off).")
  Float minP;

  @Option(
      names = "--json-schema",
      order = 10,
      paramLabel = "FILE",
      description = "Answer with JSON that validates against the JSON Schema in FILE.")
  Path jsonSchema;

  @Option(
      names = "--logprobs",
      order = 11,
      description = "Print each token's log-probability on stderr.")
  boolean logprobs;

  @Option(
      names = "--top-logprobs",
      order = 12,
      paramLabel = "N",
      description =
          "With each token, the N most likely alternatives (0 to 20; implies --logprobs).")
  Integer topLogprobs;

  @Parameters(
      paramLabel = "PROMPT",
      arity = "1..*",
      description = "The user prompt; several words are joined with spaces.")
  List<String> prompt;

  CompleteRequest request() throws IOException {
    var request =
        Prompts.complete(system, String.join(" ", prompt)).toBuilder()
            .setModel(model)
            .setTemperature(temperature)
            .setMaxTokens(maxTokens);
    if (topP != null) {
      request.setTopP(topP);
    }
    if (seed != null) {
      request.setSeed(seed);
    }
    request.addAllStop(stop);
    if (topK != null) {
      request.setTopK(topK);
    }
    if (minP != null) {
      request.setMinP(minP);
    }
    if (jsonSchema != null) {
      request.setJsonSchema(Files.readString(jsonSchema));
    }
    if (logprobs || topLogprobs != null) {
      request.setLogprobs(true);
    }
    if (topLogprobs != null) {
      request.setTopLogprobs(topLogprobs);
    }
    return request.build();
  }
}
