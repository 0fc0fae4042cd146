package io.inferd.engine.llama;

/**
 * Checks a GBNF grammar before it reaches llama.cpp, whose parser asserts (aborting the process) on
 * some malformed input instead of reporting it.
 */
final class Gbnf {
  static final int MAX_LENGTH = 256 * 1024;

  private Gbnf() {}

  static void check(String grammar) {
    if (grammar.isBlank()) {
      throw new IllegalArgumentException("grammar: empty (expected: GBNF rules with a root rule)");
    }
    if (grammar.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "grammar: " + grammar.length() + " characters (expected: at most " + MAX_LENGTH + ")");
    }
    if (grammar.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("grammar: contains a NUL character");
    }
    GbnfSyntax.parse(grammar);
  }
}
