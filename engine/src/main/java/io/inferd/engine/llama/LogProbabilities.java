package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.inferd.engine.GeneratedToken;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities of the model's own distribution (log-softmax of the raw logits, before
 * penalties, temperature or grammar), as OpenAI reports them. Decode-loop thread only.
 */
final class LogProbabilities {
  private final NativeModel model;
  private final MemorySegment scratch = Arena.ofAuto().allocate(256);

  LogProbabilities(NativeModel model) {
    this.model = model;
  }

  GeneratedToken describe(MemorySegment logits, int chosen, String text, int top) {
    int n = model.vocabSize();
    float max = Float.NEGATIVE_INFINITY;
    for (int t = 0; t < n; t++) {
      max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, t));
    }
    double sum = 0;
    for (int t = 0; t < n; t++) {
      sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, t) - max);
    }
    float logZ = (float) (max + Math.log(sum));
    List<GeneratedToken.Alternative> alternatives = new ArrayList<>(top);
    if (top > 0) {
      int[] best = topIndices(logits, n, top);
      for (int t : best) {
        byte[] bytes = model.piece(t, scratch);
        alternatives.add(
            new GeneratedToken.Alternative(
                new String(bytes, StandardCharsets.UTF_8),
                t,
                logits.getAtIndex(JAVA_FLOAT, t) - logZ,
                bytes));
      }
    }
    return new GeneratedToken(
        text, chosen, logits.getAtIndex(JAVA_FLOAT, chosen) - logZ, alternatives);
  }

  /**
   * The {@code k} largest logits, largest first (k is at most 20: a small insertion list suffices).
   */
  private static int[] topIndices(MemorySegment logits, int n, int k) {
    k = Math.min(k, n);
    int[] idx = new int[k];
    float[] val = new float[k];
    int size = 0;
    for (int t = 0; t < n; t++) {
      float v = logits.getAtIndex(JAVA_FLOAT, t);
      if (size == k && v <= val[k - 1]) {
        continue;
      }
      int pos = size < k ? size++ : k - 1;
      while (pos > 0 && val[pos - 1] < v) {
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      val[pos] = v;
      idx[pos] = t;
    }
    return java.util.Arrays.copyOf(idx, size);
  }
}
