package io.inferd.app.cli;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.client.Prompts;
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

  @Parameters(
      paramLabel = "PROMPT",
      arity = "1..*",
      description = "The user prompt; several words are joined with spaces.")
  List<String> prompt;

  CompleteRequest request() {
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
    return request.build();
  }
}
