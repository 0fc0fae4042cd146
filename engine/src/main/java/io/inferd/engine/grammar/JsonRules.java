package io.inferd.engine.grammar;

import java.math.BigInteger;

/**
 * The JSON building blocks of a grammar: bounded whitespace, strings, exact integer and decimal
 * ranges, formats, and any value to a bounded depth. Each method adds its rules to a {@link
 * GrammarBuilder} and returns a GBNF primary.
 */
final class JsonRules {
  /**
   * Most indentation after a line break between tokens: a model can then not loop on whitespace.
   */
  static final int MAX_WS = 20;

  /**
   * Digits of an integer part when the schema sets no bound: unbounded digits could run forever.
   */
  static final int MAX_INT_DIGITS = 18;

  /** Most digits after the decimal point. */
  static final int MAX_FRACTION_DIGITS = 16;

  /** Most nesting of objects and arrays for "any JSON" (json_object mode and the schema {}). */
  static final int ANY_DEPTH = 12;

  private final GrammarBuilder g;

  JsonRules(GrammarBuilder g) {
    this.g = g;
  }

  /**
   * Between tokens: nothing, one space, or one line break and an indent of up to {@link #MAX_WS}
   * spaces or tabs. Enough for compact and pretty-printed JSON; a weak model under the grammar
   * otherwise fills every gap with blank lines (seen on stories260K).
   */
  String ws() {
    return g.rule("ws", "(\" \" | \"\\n\" [ \\t]{0," + MAX_WS + "})?");
  }

  /** One character of a JSON string as written: counts as exactly one code point once decoded. */
  String stringChar() {
    String hex = "[0-9a-fA-F]";
    // \\uXXXX outside the surrogates, or a high+low surrogate pair (one code point); no lone
    // surrogates.
    String escape =
        "\"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-CeEfF] "
            + hex
            + "{3} | [dD] [0-7] "
            + hex
            + "{2}) | \"u\" [dD] [89abAB] "
            + hex
            + "{2} \"\\\\u\" [dD] [c-fC-F] "
            + hex
            + "{2})";
    return g.rule("char", "[^\"\\\\\\x00-\\x1F] | " + escape);
  }

  /** A JSON string of min..max code points (max {@link GrammarBuilder#UNBOUNDED} for none). */
  String string(long min, long max) {
    String body = GrammarBuilder.join("\"\\\"\"", g.repeat(stringChar(), min, max), "\"\\\"\"");
    return g.rule(min == 0 && max == GrammarBuilder.UNBOUNDED ? "string" : "string-len", body);
  }

  /** Integers in [lo, hi], written without a leading '+' or zeros (and 0, never -0). */
  String integer(BigInteger lo, BigInteger hi) {
    StringBuilder alts = new StringBuilder();
    if (lo.signum() < 0) {
      BigInteger negHi = hi.signum() < 0 ? hi.negate() : BigInteger.ONE;
      appendAlt(alts, "\"-\" " + group(naturals(negHi, lo.negate())));
    }
    if (hi.signum() >= 0) {
      appendAlt(alts, naturals(lo.max(BigInteger.ZERO), hi));
    }
    return g.rule("int", alts.toString());
  }

  /**
   * Decimals (no exponent) whose value lies between whole-number bounds; null bounds are open ends,
   * limited to {@link #MAX_INT_DIGITS} integer digits.
   */
  String decimal(BigInteger lo, boolean loExclusive, BigInteger hi, boolean hiExclusive) {
    StringBuilder alts = new StringBuilder();
    // Positive sign: magnitudes from max(lo, 0); a negative lower bound leaves 0 inclusive.
    if (hi == null || hi.signum() > 0 || (hi.signum() == 0 && !hiExclusive)) {
      boolean fromLo = lo != null && lo.signum() >= 0;
      String m =
          magnitude(
              fromLo ? lo : BigInteger.ZERO, fromLo && loExclusive, hi, hi != null && hiExclusive);
      appendAlt(alts, m);
    }
    // Negative sign: magnitudes strictly above 0 (so no "-0"), up to -lo.
    if (lo == null || lo.signum() < 0) {
      boolean fromHi = hi != null && hi.signum() < 0;
      BigInteger least = fromHi ? hi.negate() : BigInteger.ZERO;
      boolean leastExclusive = !fromHi || hiExclusive;
      String m =
          magnitude(
              least, leastExclusive, lo == null ? null : lo.negate(), lo != null && loExclusive);
      if (!m.isEmpty()) {
        appendAlt(alts, "\"-\" " + group(m));
      }
    }
    return g.rule("num", alts.toString());
  }

  /** Unsigned decimals in the range (a, b) with the given ends; "" if empty. */
  private String magnitude(BigInteger a, boolean aExcl, BigInteger b, boolean bExcl) {
    BigInteger cap =
        BigInteger.TEN
            .pow(Math.max(MAX_INT_DIGITS, a.toString().length()))
            .subtract(BigInteger.ONE);
    StringBuilder alts = new StringBuilder();
    if (b != null && a.compareTo(b) == 0) {
      if (!aExcl && !bExcl) {
        appendAlt(alts, group(naturals(a, a)) + " " + zeroFrac() + "?");
      }
      return alts.toString();
    }
    if (b != null && a.compareTo(b) > 0) {
      return "";
    }
    // Integer part a: any fraction (a.f < a+1 <= b), or a non-zero one when a itself is excluded.
    appendAlt(alts, group(naturals(a, a)) + " " + (aExcl ? nonZeroFrac() : anyFrac() + "?"));
    BigInteger top = b == null ? cap : b.subtract(BigInteger.ONE);
    if (a.add(BigInteger.ONE).compareTo(top) <= 0) {
      appendAlt(alts, group(naturals(a.add(BigInteger.ONE), top)) + " " + anyFrac() + "?");
    }
    if (b != null && !bExcl) {
      appendAlt(alts, group(naturals(b, b)) + " " + zeroFrac() + "?");
    }
    return alts.toString();
  }

  private String anyFrac() {
    return g.rule("frac", "\".\" [0-9]{1," + MAX_FRACTION_DIGITS + "}");
  }

  /** A fraction with a non-zero digit: zeros, the first non-zero digit, then any digits. */
  private String nonZeroFrac() {
    int n = MAX_FRACTION_DIGITS - 1;
    return g.rule("frac-nz", "\".\" \"0\"{0," + n + "} [1-9] [0-9]{0," + n + "}");
  }

  private String zeroFrac() {
    return g.rule("frac-zero", "\".\" \"0\"{1," + MAX_FRACTION_DIGITS + "}");
  }

  /** Any JSON number with bounded digit counts (an exponent to 99 keeps it within a double). */
  String anyNumber() {
    return g.rule(
        "number",
        "\"-\"? (\"0\" | [1-9] [0-9]{0,"
            + (MAX_INT_DIGITS - 1)
            + "}) (\".\" [0-9]{1,"
            + MAX_FRACTION_DIGITS
            + "})? ([eE] [-+]? [0-9]{1,2})?");
  }

  /** Non-negative integers in [lo, hi] as a GBNF expression (alternatives per digit count). */
  private String naturals(BigInteger lo, BigInteger hi) {
    StringBuilder alts = new StringBuilder();
    String los = lo.toString();
    String his = hi.toString();
    // Whole digit-count bands (1..9, 10..99, ...) in one item: fewer alternatives, fewer sampler
    // stacks.
    boolean allNines = his.chars().allMatch(c -> c == '9');
    boolean bandStart =
        los.equals("0") || (los.charAt(0) == '1' && los.chars().skip(1).allMatch(c -> c == '0'));
    if (allNines && bandStart && his.length() > los.length()) {
      int first = Math.max(los.length(), 1) - 1;
      String band = "[1-9] " + g.repeat("[0-9]", first, his.length() - 1);
      return los.equals("0") ? "\"0\" | " + band.strip() : band.strip();
    }
    for (int len = los.length(); len <= his.length(); len++) {
      String from = len == los.length() ? los : "1" + "0".repeat(len - 1);
      String to = len == his.length() ? his : "9".repeat(len);
      sameLength(from, to, alts, "");
    }
    return alts.toString();
  }

  /**
   * Appends alternatives for the digit strings of equal length in [lo, hi] after {@code prefix}.
   */
  private void sameLength(String lo, String hi, StringBuilder alts, String prefix) {
    if (lo.isEmpty()) {
      appendAlt(alts, prefix.isEmpty() ? "\"\"" : prefix);
      return;
    }
    int n = lo.length() - 1;
    char l = lo.charAt(0);
    char h = hi.charAt(0);
    String restLo = lo.substring(1);
    String restHi = hi.substring(1);
    if (l == h) {
      sameLength(restLo, restHi, alts, GrammarBuilder.join(prefix, "\"" + l + "\""));
      return;
    }
    boolean loFull = restLo.chars().allMatch(c -> c == '0');
    boolean hiFull = restHi.chars().allMatch(c -> c == '9');
    char midFrom = loFull ? l : (char) (l + 1);
    char midTo = hiFull ? h : (char) (h - 1);
    if (!loFull) {
      sameLength(restLo, "9".repeat(n), alts, GrammarBuilder.join(prefix, "\"" + l + "\""));
    }
    if (midFrom <= midTo) {
      String digit = midFrom == midTo ? "\"" + midFrom + "\"" : "[" + midFrom + "-" + midTo + "]";
      appendAlt(alts, GrammarBuilder.join(prefix, digit, n == 0 ? "" : g.repeat("[0-9]", n, n)));
    }
    if (!hiFull) {
      sameLength("0".repeat(n), restHi, alts, GrammarBuilder.join(prefix, "\"" + h + "\""));
    }
  }

  /** RFC 3339 full-date, with real month lengths and leap years. */
  String date() {
    String leap4 = "(\"0\" [48] | [2468] [048] | [13579] [26])";
    // Year 0000 is refused by java.time-based validators: years run 0001-9999.
    String leapCentury = "(\"0\" [48] | [2468] [048] | [13579] [26])";
    String year = "([1-9] [0-9]{3} | \"0\" ([1-9] [0-9]{2} | \"0\" ([1-9] [0-9] | \"0\" [1-9])))";
    String leapYear = "([0-9] [0-9] " + leap4 + " | " + leapCentury + " \"00\")";
    String body =
        year
            + " \"-\" ((\"0\" [13578] | \"1\" [02]) \"-\" (\"0\" [1-9] | [12] [0-9] | \"3\" [01])"
            + " | (\"0\" [469] | \"11\") \"-\" (\"0\" [1-9] | [12] [0-9] | \"30\")"
            + " | \"02-\" (\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]))"
            + " | "
            + leapYear
            + " \"-02-29\"";
    return g.rule("date", body);
  }

  /**
   * RFC 3339 full-time: seconds to 59 (no leap second), up to 9 fraction digits, Z or an offset
   * within ±18:00 (RFC 3339 allows hours to 23, but java.time and so Java validators refuse beyond
   * 18).
   */
  String time() {
    String hh = "([01] [0-9] | \"2\" [0-3])";
    String mm = "[0-5] [0-9]";
    String hours = "(\"0\" [0-9] | \"1\" [0-7]) \":\" " + mm + " | \"18:00\"";
    // "-00:00" (RFC 3339's unknown offset) is refused by java.time-based validators.
    String negative =
        "(\"0\" [1-9] | \"1\" [0-7]) \":\" "
            + mm
            + " | \"00:\" ([0-5] [1-9] | [1-5] \"0\") | \"18:00\"";
    String offset = "(\"+\" (" + hours + ") | \"-\" (" + negative + "))";
    return g.rule(
        "time",
        hh + " \":\" " + mm + " \":\" " + mm + " (\".\" [0-9]{1,9})? (\"Z\" | " + offset + ")");
  }

  String dateTime() {
    return g.rule("date-time", date() + " \"T\" " + time());
  }

  /** Dotted-quad IPv4, octets 0-255 without leading zeros. */
  String ipv4() {
    String octet =
        g.rule(
            "octet", "\"25\" [0-5] | \"2\" [0-4] [0-9] | \"1\" [0-9] [0-9] | [1-9] [0-9] | [0-9]");
    return g.rule("ipv4", octet + " \".\" " + octet + " \".\" " + octet + " \".\" " + octet);
  }

  String uuid() {
    String h = "[0-9a-fA-F]";
    return g.rule(
        "uuid",
        h + "{8} \"-\" " + h + "{4} \"-\" " + h + "{4} \"-\" " + h + "{4} \"-\" " + h + "{12}");
  }

  /** Any JSON value nested at most {@code depth} objects or arrays deep. */
  String anyValue(int depth) {
    String scalar =
        g.rule(
            "scalar",
            String.join(
                " | ",
                string(0, GrammarBuilder.UNBOUNDED),
                anyNumber(),
                "\"true\"",
                "\"false\"",
                "\"null\""));
    if (depth == 0) {
      return scalar;
    }
    return g.rule("value-d" + depth, anyObject(depth) + " | " + anyArray(depth) + " | " + scalar);
  }

  /** Any JSON object whose values nest at most depth-1 further levels. */
  String anyObject(int depth) {
    String ws = ws();
    String member =
        g.rule(
            "member-d" + depth,
            string(0, GrammarBuilder.UNBOUNDED)
                + " "
                + ws
                + " \":\" "
                + ws
                + " "
                + anyValue(depth - 1));
    String more = g.rule("member-more-d" + depth, ws + " \",\" " + ws + " " + member);
    return g.rule(
        "object-d" + depth, "\"{\" " + ws + " (" + member + " " + more + "*)? " + ws + " \"}\"");
  }

  private String anyArray(int depth) {
    String ws = ws();
    String item = anyValue(depth - 1);
    String more = g.rule("item-more-d" + depth, ws + " \",\" " + ws + " " + item);
    return g.rule(
        "array-d" + depth, "\"[\" " + ws + " (" + item + " " + more + "*)? " + ws + " \"]\"");
  }

  /** Parenthesised when it is an alternation (so that what follows applies to all of it). */
  static String group(String expr) {
    return expr.contains(" | ") ? "(" + expr + ")" : expr;
  }

  static void appendAlt(StringBuilder alts, String alt) {
    if (alt.isEmpty()) {
      return;
    }
    if (!alts.isEmpty()) {
      alts.append(" | ");
    }
    alts.append(alt);
  }
}
