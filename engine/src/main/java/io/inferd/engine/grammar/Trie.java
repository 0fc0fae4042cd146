package io.inferd.engine.grammar;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Alternation of literals with shared prefixes factored out: {@code "app" ("le" | "ly")}.
 * llama.cpp's grammar sampler keeps one stack per live alternative, so 10,000 flat enum values
 * would cost 10,000 stacks per token; the factored form keeps only the branches still possible.
 */
final class Trie {
  /**
   * Longer literals are alternated flat: factoring them could nest groups too deep for a parser.
   */
  static final int MAX_FACTORED_LENGTH = 256;

  private Trie() {}

  static String alternation(List<String> literals) {
    List<String> sorted = new ArrayList<>(literals);
    Collections.sort(sorted);
    if (sorted.stream().anyMatch(s -> s.length() > MAX_FACTORED_LENGTH)) {
      return String.join(" | ", sorted.stream().map(GrammarBuilder::literal).toList());
    }
    return expr(sorted, 0, sorted.size(), 0, true);
  }

  /** Alternatives for sorted[lo, hi), which share their first {@code off} chars. */
  private static String expr(List<String> sorted, int lo, int hi, int off, boolean top) {
    boolean terminal = sorted.get(lo).length() == off;
    List<String> alts = new ArrayList<>();
    int i = terminal ? lo + 1 : lo;
    while (i < hi) {
      int c = sorted.get(i).codePointAt(off);
      int j = i + 1;
      while (j < hi && sorted.get(j).codePointAt(off) == c) {
        j++;
      }
      int end = commonPrefix(sorted.get(i), sorted.get(j - 1), off + Character.charCount(c));
      String rest = expr(sorted, i, j, end, false);
      alts.add(
          GrammarBuilder.join(GrammarBuilder.literal(sorted.get(i).substring(off, end)), rest));
      i = j;
    }
    if (alts.isEmpty()) {
      return "";
    }
    String joined = String.join(" | ", alts);
    if (terminal) {
      return "(" + joined + ")?";
    }
    return alts.size() == 1 || top ? joined : "(" + joined + ")";
  }

  /** End of the common prefix of a and b, at least {@code from}, never inside a surrogate pair. */
  private static int commonPrefix(String a, String b, int from) {
    int n = Math.min(a.length(), b.length());
    int k = from;
    while (k < n && a.charAt(k) == b.charAt(k)) {
      k++;
    }
    if (k > from && k < a.length() && Character.isLowSurrogate(a.charAt(k))) {
      k--;
    }
    return k;
  }
}
