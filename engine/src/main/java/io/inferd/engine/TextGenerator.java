package io.inferd.engine;

import java.util.List;

/**
 * A loaded text-generation model. Implementations are thread-safe: up to {@link #parallelism()}
 * generations may run at once, each on its caller's thread.
 */
public interface TextGenerator extends AutoCloseable {

  /** Tokens one generation may use in all, prompt plus completion. */
  int contextLength();

  /** How many generations the model can run at the same time. */
  int parallelism();

  /** Renders a conversation with the model's chat template and counts its tokens. */
  Prompt render(List<Turn> conversation);

  /**
   * Generates, calling {@code sink} for each token as soon as it is decoded, and returns when the model
   * stops, {@code maxTokens} are reached, or the sink returns {@code false}.
   */
  Generation generate(GenerationRequest request, TokenSink sink);

  @Override
  void close();
}
