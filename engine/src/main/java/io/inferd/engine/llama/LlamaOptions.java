package io.inferd.engine.llama;

/**
 * How a GGUF model runs: CPU threads, generations at once (llama.cpp slots), and tokens per slot
 * ({@code 0}: the model's trained context, at most {@link #DEFAULT_CONTEXT}).
 */
public record LlamaOptions(int threads, int parallel, int contextLength) {
  /** Caps the per-slot context of models trained on long contexts, to keep memory modest. */
  public static final int DEFAULT_CONTEXT = 2048;

  public LlamaOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel: " + parallel + " (expected: >= 1)");
    }
    if (contextLength < 0) {
      throw new IllegalArgumentException("contextLength: " + contextLength + " (expected: >= 0)");
    }
  }

  public static LlamaOptions defaults() {
    return new LlamaOptions(Runtime.getRuntime().availableProcessors(), 2, 0);
  }
}
