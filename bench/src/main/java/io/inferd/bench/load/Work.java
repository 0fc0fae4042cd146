package io.inferd.bench.load;

import static java.util.Objects.requireNonNull;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.bench.OpenAi;
import io.inferd.bench.Payloads;

/**
 * What each call of a run asks for, the same over both protocols: the scenario, the model (empty:
 * the server's default), answer length, and whether the answer must have exactly that many tokens
 * (true for the benchmark-only engine; a real model may stop earlier).
 */
public record Work(Scenario scenario, String model, int maxTokens, boolean exactTokens) {
  public Work {
    requireNonNull(scenario, "scenario");
    requireNonNull(model, "model");
  }

  /** The benchmark-only engine's version of {@code scenario}. */
  public static Work bench(Scenario scenario) {
    int tokens =
        switch (scenario) {
          case UNARY -> Payloads.UNARY_MAX_TOKENS;
          case STREAM -> Payloads.STREAM_TOKENS;
          case EMBED -> 0;
        };
    return new Work(scenario, Payloads.MODEL, tokens, true);
  }

  public CompleteRequest completeRequest() {
    return Payloads.completeRequest(maxTokens).toBuilder()
        .setModel(model)
        .setTemperature(temperature())
        .build();
  }

  public OpenAi.ChatRequest chatRequest() {
    OpenAi.ChatRequest request = Payloads.chatRequest(maxTokens, scenario == Scenario.STREAM);
    return new OpenAi.ChatRequest(
        model.isEmpty() ? null : model,
        request.messages(),
        temperature(),
        request.maxTokens(),
        request.topP(),
        request.seed(),
        request.stream());
  }

  /** 0.7 as the document's examples; the bench engine ignores it. */
  private float temperature() {
    return 0.7f;
  }
}
