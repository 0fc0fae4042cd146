package io.inferd.engine.llama;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.FlashAttention;

/**
 * How a GGUF model runs: CPU threads, generations at once (sequences in one batched decode loop),
 * tokens per sequence ({@code 0}: the model's trained context, at most {@link #DEFAULT_CONTEXT}),
 * layers offloaded to a GPU ({@link #ALL_GPU_LAYERS}: all of them when llama.cpp was built with a
 * GPU backend, otherwise none), and whether attention uses llama.cpp's flash-attention kernel.
 */
public record LlamaOptions(
    int threads, int parallel, int contextLength, int gpuLayers, FlashAttention flashAttention) {
  /** Caps the per-sequence context of models trained on long contexts, to keep memory modest. */
  public static final int DEFAULT_CONTEXT = 2048;

  public static final int ALL_GPU_LAYERS = -1;

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
    requireNonNull(flashAttention, "flashAttention");
    if (gpuLayers < ALL_GPU_LAYERS) {
      throw new IllegalArgumentException(
          "gpuLayers: " + gpuLayers + " (expected: >= 0, or -1 for all)");
    }
  }

  public LlamaOptions(int threads, int parallel, int contextLength, int gpuLayers) {
    this(threads, parallel, contextLength, gpuLayers, FlashAttention.AUTO);
  }

  public LlamaOptions(int threads, int parallel, int contextLength) {
    this(threads, parallel, contextLength, ALL_GPU_LAYERS);
  }

  public static LlamaOptions defaults() {
    return new LlamaOptions(Runtime.getRuntime().availableProcessors(), 2, 0);
  }
}
