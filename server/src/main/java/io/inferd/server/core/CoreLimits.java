package io.inferd.server.core;

/**
 * Server-wide request defaults and limits.
 *
 * @param defaultMaxTokens tokens generated when a request leaves max_tokens at 0
 * @param maxTokensLimit the largest max_tokens a request may ask for
 * @param maxEmbedTexts texts one BatchEmbed stream or embeddings request may carry
 * @param chatTemperature sampling temperature of Chat turns (ChatMessage carries no parameters)
 */
public record CoreLimits(
    int defaultMaxTokens, int maxTokensLimit, int maxEmbedTexts, float chatTemperature) {
  public CoreLimits {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens: " + defaultMaxTokens + " (expected: >= 1)");
    }
    if (maxTokensLimit < defaultMaxTokens) {
      throw new IllegalArgumentException(
          "maxTokensLimit: " + maxTokensLimit + " (expected: >= defaultMaxTokens " + defaultMaxTokens + ")");
    }
    if (maxEmbedTexts < 1) {
      throw new IllegalArgumentException("maxEmbedTexts: " + maxEmbedTexts + " (expected: >= 1)");
    }
  }

  public static CoreLimits defaults() {
    return new CoreLimits(256, 4096, 2048, 0.7f);
  }
}
