package io.inferd.app.cli;

import io.inferd.api.v1.Usage;

/** The one-line summaries the verbs print on stderr, apart from the answer on stdout. */
final class Summaries {
  private Summaries() {}

  /** {@code [model=m finish=stop tokens: prompt=3 completion=5 total=8]}; usage may be null. */
  static String completion(String model, String finishReason, Usage usage) {
    var line = new StringBuilder("[model=").append(orUnknown(model));
    line.append(" finish=").append(orUnknown(finishReason));
    if (usage != null) {
      line.append(" tokens: prompt=").append(usage.getPromptTokens());
      line.append(" completion=").append(usage.getCompletionTokens());
      line.append(" total=").append(usage.getTotalTokens());
    }
    return line.append(']').toString();
  }

  /** {@code [embeddings=3 tokens: total=12]}. */
  static String embeddings(int count, Usage usage) {
    return "[embeddings=" + count + " tokens: total=" + usage.getTotalTokens() + "]";
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? "?" : value;
  }
}
