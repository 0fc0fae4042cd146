package io.inferd.server.core;

/**
 * Server-wide request defaults and limits.
 *
 * @param defaultMaxTokens tokens generated when a request leaves max_tokens at 0
 * @param maxTokensLimit the largest max_tokens a request may ask for
 * @param maxEmbedTexts texts one BatchEmbed stream or embeddings request may carry
 * @param chatTemperature sampling temperature of Chat turns (ChatMessage carries no parameters)
 * @param maxPromptTokens the longest prompt accepted, in the model's tokens (also capped by the
 *     context)
 */
public record CoreLimits(
    int defaultMaxTokens,
    int maxTokensLimit,
    int maxEmbedTexts,
    float chatTemperature,
    int maxPromptTokens) {
  public CoreLimits {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException(
          "defaultMaxTokens: " + defaultMaxTokens + " (expected: >= 1)");
    }
    if (maxTokensLimit < defaultMaxTokens) {
      throw new IllegalArgumentException(
          "maxTokensLimit: "
              + maxTokensLimit
              + " (expected: >= defaultMaxTokens "
              + defaultMaxTokens
              + ")");
    }
    if (maxEmbedTexts < 1) {
      throw new IllegalArgumentException("maxEmbedTexts: " + maxEmbedTexts + " (expected: >= 1)");
    }
    if (maxPromptTokens < 1) {
      throw new IllegalArgumentException(
          "maxPromptTokens: " + maxPromptTokens + " (expected: >= 1)");
    }
  }

  public CoreLimits(
      int defaultMaxTokens, int maxTokensLimit, int maxEmbedTexts, float chatTemperature) {
    this(defaultMaxTokens, maxTokensLimit, maxEmbedTexts, chatTemperature, 32_768);
  }

  public static CoreLimits defaults() {
    return new CoreLimits(256, 4096, 2048, 0.7f);
  }
}
