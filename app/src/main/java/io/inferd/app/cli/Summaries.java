package io.inferd.app.cli;

import io.inferd.api.v1.Logprobs;
import io.inferd.api.v1.TokenLogprob;
import io.inferd.api.v1.TopLogprob;
import io.inferd.api.v1.Usage;
import java.util.Locale;

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

  /** One line per token: its log-probability, text and the alternatives asked for. */
  static String logprobs(Logprobs logprobs) {
    var lines = new StringBuilder();
    for (TokenLogprob token : logprobs.getContentList()) {
      lines.append(
          String.format(Locale.ROOT, "%9.4f  %s", token.getLogprob(), quote(token.getToken())));
      for (TopLogprob alt : token.getTopLogprobsList()) {
        lines.append(
            String.format(Locale.ROOT, "  | %s %.4f", quote(alt.getToken()), alt.getLogprob()));
      }
      lines.append('\n');
    }
    return lines.toString();
  }

  private static String quote(String token) {
    return "'" + token.replace("\n", "\\n") + "'";
  }

  /** {@code [embeddings=3 tokens: total=12]}. */
  static String embeddings(int count, Usage usage) {
    return "[embeddings=" + count + " tokens: total=" + usage.getTotalTokens() + "]";
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? "?" : value;
  }
}
