package io.inferd.engine.grammar;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects GBNF rules, shares identical ones, and keeps the grammar small enough for llama.cpp:
 * repetition counts stay at or below {@link #BLOCK} (llama.cpp expands {@code x{m,n}} into about n
 * copies and refuses large counts), larger bounds are written exactly as nested blocks, and the
 * text and its expansion are capped.
 */
final class GrammarBuilder {
  /** Largest count written in one {@code {m,n}}; bigger bounds become blocks of this many. */
  static final int BLOCK = 32;

  /** Most characters of grammar text. */
  static final int MAX_CHARS = 1 << 20;

  /** Most symbols after llama.cpp has expanded every repetition (an estimate from above). */
  static final long MAX_EXPANDED = 4_000_000;

  static final long UNBOUNDED = -1;

  private final Map<String, String> rules = new LinkedHashMap<>();
  private final Map<String, String> nameByBody = new HashMap<>();
  private final Map<String, Integer> nextSuffix = new HashMap<>();
  private long chars;
  private long expanded;

  /** A rule with this body (an existing one if the body is the same); returns its name. */
  String rule(String hint, String body) {
    String known = nameByBody.get(body);
    if (known != null) {
      return known;
    }
    String name = reserve(hint);
    define(name, body);
    nameByBody.put(body, name);
    return name;
  }

  /**
   * A fresh rule name, defined later with {@link #define} (recursion refers to it before its body).
   */
  String reserve(String hint) {
    String base = sanitize(hint);
    int n = nextSuffix.merge(base, 1, Integer::sum);
    String name = n == 1 && !rules.containsKey(base) ? base : base + "-" + n;
    while (rules.containsKey(name)) {
      n = nextSuffix.merge(base, 1, Integer::sum);
      name = base + "-" + n;
    }
    rules.put(name, null);
    return name;
  }

  void define(String name, String body) {
    rules.put(name, body);
    chars += name.length() + body.length() + 6;
    expanded += body.length();
  }

  boolean isDefined(String name) {
    return rules.get(name) != null;
  }

  /** Null when within bounds, else what is exceeded (the caller knows the schema path). */
  String overLimit() {
    if (chars > MAX_CHARS) {
      return "the grammar would exceed " + MAX_CHARS + " characters";
    }
    if (expanded > MAX_EXPANDED) {
      return "the grammar would expand to more than " + MAX_EXPANDED + " symbols in llama.cpp";
    }
    return null;
  }

  /**
   * {@code element} repeated min..max times ({@link #UNBOUNDED} for no maximum); element is one
   * GBNF primary (a rule name, literal, character class or group). Returns "" for exactly zero.
   */
  String repeat(String element, long min, long max) {
    if (max == UNBOUNDED) {
      String tail = element + "*";
      expanded += element.length() + 4;
      return join(exactly(element, min), tail);
    }
    return join(exactly(element, min), upTo(element, max - min));
  }

  private String exactly(String x, long n) {
    if (n == 0) {
      return "";
    }
    if (n <= BLOCK) {
      expanded += n * (x.length() + 2);
      return n == 1 ? x : x + "{" + n + "}";
    }
    String block = rule("rep", exactly(x, BLOCK));
    return join(exactly(block, n / BLOCK), exactly(x, n % BLOCK));
  }

  private String upTo(String x, long n) {
    if (n == 0) {
      return "";
    }
    if (n <= BLOCK) {
      expanded += n * (x.length() + 4);
      return n == 1 ? x + "?" : x + "{0," + n + "}";
    }
    // Lengths below q*BLOCK: up to q-1 whole blocks and a partial one; or q blocks and up to r
    // more.
    long q = n / BLOCK;
    long r = n % BLOCK;
    String block = rule("rep", exactly(x, BLOCK));
    String below = join(upTo(block, q - 1), upTo(x, BLOCK - 1));
    String top = join(exactly(block, q), upTo(x, r));
    return "(" + below + " | " + top + ")";
  }

  /** Space-joins the non-empty parts. */
  static String join(String... parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (p.isEmpty()) {
        continue;
      }
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(p);
    }
    return sb.toString();
  }

  /** A GBNF literal matching exactly {@code s}. */
  static String literal(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            c -> {
              String escape = sharedEscape(c);
              if (escape != null) {
                sb.append(escape);
              } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02X", c));
              } else {
                sb.appendCodePoint(c);
              }
            });
    return sb.append('"').toString();
  }

  /**
   * The escape that a GBNF literal and a JSON string both write for {@code c}; null for the
   * characters where they differ or need none.
   */
  static String sharedEscape(int c) {
    return switch (c) {
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> null;
    };
  }

  /** llama.cpp's rule names are letters, digits and '-'. */
  static String sanitize(String hint) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < hint.length() && sb.length() < 40; i++) {
      char c = hint.charAt(i);
      boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (word) {
        sb.append(c);
      } else if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') {
        sb.append('-');
      }
    }
    while (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '-') {
      sb.setLength(sb.length() - 1);
    }
    return sb.isEmpty() ? "r" : sb.toString();
  }

  /** The grammar text, {@code root} first. */
  String build() {
    StringBuilder sb = new StringBuilder();
    String root = rules.get("root");
    if (root == null) {
      throw new IllegalStateException("no root rule");
    }
    sb.append("root ::= ").append(root).append('\n');
    for (Map.Entry<String, String> e : rules.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalStateException("rule " + e.getKey() + " reserved but never defined");
      }
      if (!e.getKey().equals("root")) {
        sb.append(e.getKey()).append(" ::= ").append(e.getValue()).append('\n');
      }
    }
    return sb.toString();
  }
}
