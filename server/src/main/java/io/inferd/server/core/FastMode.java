package io.inferd.server.core;

import java.time.Duration;

/**
 * What the server does for a call whose deadline leaves less than {@code threshold}: the source
 * document's "fast inference" when time is short. The answer is capped at {@code maxTokens}, and
 * runs on {@code model} when one is configured and the request did not name a model itself.
 */
public record FastMode(Duration threshold, int maxTokens, String model) {
  public FastMode {
    if (threshold.isNegative()) {
      throw new IllegalArgumentException("threshold: " + threshold + " (expected: >= 0)");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
    }
    model = model == null ? "" : model;
  }

  public static FastMode defaults() {
    return new FastMode(Duration.ofSeconds(5), 32, "");
  }

  /** Never fast: for tests and for servers that prefer full answers. */
  public static FastMode off() {
    return new FastMode(Duration.ZERO, 1, "");
  }

  boolean applies(long remainingNanos) {
    return remainingNanos < threshold.toNanos();
  }
}
