package io.inferd.engine;

/**
 * What every engine is opened with: CPU threads and parallel generations of a local model, its
 * context size (0: the model's own), layers to offload to a GPU (-1: all when there is one),
 * whether llama.cpp uses flash attention, and the API key sent to remote ones (null: none).
 */
public record EngineSettings(
    int threads,
    int parallel,
    int contextTokens,
    int gpuLayers,
    FlashAttention flashAttention,
    String remoteApiKey) {
  public EngineSettings(int threads, int parallel, int contextTokens, String remoteApiKey) {
    this(threads, parallel, contextTokens, -1, FlashAttention.AUTO, remoteApiKey);
  }

  public EngineSettings {
    java.util.Objects.requireNonNull(flashAttention, "flashAttention");
    if (threads < 1 || parallel < 1 || contextTokens < 0) {
      throw new IllegalArgumentException(
          "threads "
              + threads
              + ", parallel "
              + parallel
              + ", context "
              + contextTokens
              + " (expected: threads >= 1, parallel >= 1, context >= 0)");
    }
  }
}
