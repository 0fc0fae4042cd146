package io.inferd.engine.llama;

import java.util.HashSet;
import java.util.Set;

/**
 * A strict reader of GBNF (llama.cpp's grammar format: {@code name ::= alternatives}, literals,
 * character classes, groups, {@code * + ? {m,n}}, comments). It accepts less than llama.cpp does —
 * no token references, bounded nesting, repetition and size — so that what passes can neither crash
 * nor stall llama.cpp's recursive parser; every rejection says where and why.
 */
final class GbnfSyntax {
  static final int MAX_DEPTH = 32;
  static final int MAX_RULES = 4096;
  static final int MAX_REPEAT = 4096;

  private final String src;
  private int pos;
  private int depth;
  private final Set<String> defined = new HashSet<>();
  private final Set<String> referenced = new HashSet<>();

  private GbnfSyntax(String src) {
    this.src = src;
  }

  static void parse(String grammar) {
    GbnfSyntax p = new GbnfSyntax(grammar);
    p.grammar();
  }

  private void grammar() {
    space(true);
    while (pos < src.length()) {
      rule();
    }
    if (!defined.contains("root")) {
      throw error("no rule named root");
    }
    for (String name : referenced) {
      if (!defined.contains(name)) {
        throw new IllegalArgumentException("grammar: rule '" + name + "' is used but not defined");
      }
    }
  }

  private void rule() {
    String name = name();
    if (defined.size() >= MAX_RULES) {
      throw error("more than " + MAX_RULES + " rules");
    }
    defined.add(name);
    space(false);
    if (!src.startsWith("::=", pos)) {
      throw error("expected ::= after rule name '" + name + "'");
    }
    pos += 3;
    space(true);
    alternatives();
    if (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
      throw error("expected the end of the line");
    }
    space(true);
  }

  private void alternatives() {
    sequence();
    while (pos < src.length() && src.charAt(pos) == '|') {
      pos++;
      space(true);
      sequence();
    }
  }

  private void sequence() {
    boolean hasItem = false;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '"') {
        literal();
      } else if (c == '[') {
        charClass();
      } else if (c == '.') {
        pos++;
      } else if (c == '(') {
        if (++depth > MAX_DEPTH) {
          throw error("groups nested deeper than " + MAX_DEPTH);
        }
        pos++;
        space(true);
        alternatives();
        if (pos >= src.length() || src.charAt(pos) != ')') {
          throw error("expected )");
        }
        pos++;
        depth--;
      } else if (isNameChar(c)) {
        int start = pos;
        String name = name();
        if (src.startsWith("::=", skipSpaces(pos))) {
          pos = start; // the next rule begins here
          return;
        }
        referenced.add(name);
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (!hasItem) {
          throw error("'" + c + "' with nothing before it to repeat");
        }
        repetition();
      } else {
        return; // '|', ')', end of line, or something the caller rejects
      }
      hasItem = true;
      space(depth > 0);
    }
  }

  private void repetition() {
    char c = src.charAt(pos++);
    if (c != '{') {
      return;
    }
    space(false);
    int min = number();
    space(false);
    if (pos < src.length() && src.charAt(pos) == ',') {
      pos++;
      space(false);
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        int max = number();
        if (max < min) {
          throw error("{" + min + "," + max + "}: the maximum is below the minimum");
        }
      }
      space(false);
    }
    if (pos >= src.length() || src.charAt(pos) != '}') {
      throw error("expected }");
    }
    pos++;
  }

  private int number() {
    int start = pos;
    while (pos < src.length() && Character.isDigit(src.charAt(pos)) && pos - start < 6) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a number");
    }
    int value = Integer.parseInt(src, start, pos, 10);
    if (value > MAX_REPEAT) {
      throw error("repetition count " + value + " (expected: at most " + MAX_REPEAT + ")");
    }
    return value;
  }

  private void literal() {
    pos++;
    while (onLine("string literal") != '"') {
      character();
    }
    pos++;
  }

  private void charClass() {
    pos++;
    if (pos < src.length() && src.charAt(pos) == '^') {
      pos++;
    }
    boolean any = false;
    while (onLine("character class") != ']' || !any) {
      character();
      any = true;
      if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
        pos++;
        character();
      }
    }
    pos++;
  }

  /** The character at {@code pos}, which must not have left the line of the open {@code what}. */
  private char onLine(String what) {
    if (pos >= src.length() || src.charAt(pos) == '\n') {
      throw error("unterminated " + what);
    }
    return src.charAt(pos);
  }

  /** Steps over one character of a literal or class, or one escape sequence. */
  private void character() {
    if (src.charAt(pos) == '\\') {
      escape();
    } else {
      pos++;
    }
  }

  private void escape() {
    pos++;
    if (pos >= src.length()) {
      throw error("escape at the end of the grammar");
    }
    char c = src.charAt(pos++);
    int hex =
        switch (c) {
          case 'x' -> 2;
          case 'u' -> 4;
          case 'U' -> 8;
          case 'n', 'r', 't', '\\', '"', '[', ']', '-', '^' -> 0;
          default -> throw error("unknown escape \\" + c);
        };
    for (int i = 0; i < hex; i++) {
      if (pos >= src.length() || Character.digit(src.charAt(pos), 16) < 0) {
        throw error("expected " + hex + " hex digits after \\" + c);
      }
      pos++;
    }
  }

  private String name() {
    int start = pos;
    while (pos < src.length() && isNameChar(src.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a rule name");
    }
    return src.substring(start, pos);
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }

  private int skipSpaces(int at) {
    while (at < src.length() && (src.charAt(at) == ' ' || src.charAt(at) == '\t')) {
      at++;
    }
    return at;
  }

  /** Spaces and comments; newlines too inside groups or when {@code newlines}. */
  private void space(boolean newlines) {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '#') {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
        pos++;
      } else {
        return;
      }
    }
  }

  private IllegalArgumentException error(String what) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(pos, src.length()); i++) {
      if (src.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException(
        "grammar: " + what + " at line " + line + ", column " + column);
  }
}
