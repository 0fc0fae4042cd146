package io.inferd.engine;

import java.util.Locale;

/**
 * Whether llama.cpp computes attention with its fused flash-attention kernel. {@link #AUTO} lets
 * llama.cpp decide (on where the backend has the kernel, as llama-server's default). On CPUs the
 * fused kernel is faster on short contexts and slower on long ones: on 2 cores it decoded 123 vs
 * 100 tok/s at an empty context but 60 vs 87 at 1,400 tokens (docs/bench/PEERS.md).
 */
public enum FlashAttention {
  AUTO,
  ON,
  OFF;

  /** {@code auto}, {@code on} or {@code off}, in any case, as the options spell them. */
  public static FlashAttention parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' (expected: auto, on or off)", e);
    }
  }

  /** As the options spell it. */
  public String optionValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
