package io.inferd.engine.template;

import java.util.Collection;
import java.util.Map;

/**
 * {@code json.dumps(value, ensure_ascii=False, indent=indent)} as Hugging Face's {@code tojson}
 * calls it: Python's separators ({@code ", "} and {@code ": "}, or {@code ","} when indenting),
 * non-ASCII kept as is, control characters escaped.
 */
final class PyJson {
  private final StringBuilder out = new StringBuilder();
  private final int indent; // < 0: one line
  private final long maxChars;

  private PyJson(int indent, long maxChars) {
    this.indent = indent;
    this.maxChars = maxChars;
  }

  static String dumps(Object value, int indent, long maxChars) {
    PyJson json = new PyJson(indent, maxChars);
    json.write(value, 0);
    return json.out.toString();
  }

  private void write(Object value, int depth) {
    if (out.length() > maxChars) {
      RenderState state = RenderState.current();
      String why = "tojson output exceeds " + maxChars + " characters";
      if (state != null) {
        state.exceeded(why);
      }
      throw new IllegalStateException(why);
    }
    switch (value) {
      case null -> out.append("null");
      case Boolean b -> out.append(b ? "true" : "false");
      case Double d -> out.append(pyFloat(d));
      case Float f -> out.append(pyFloat(f.doubleValue()));
      case Number n -> out.append(n);
      case CharSequence s -> string(s);
      case Map<?, ?> map -> object(map, depth);
      case Collection<?> list -> array(list, depth);
      case Object[] array -> array(java.util.Arrays.asList(array), depth);
      case Map.Entry<?, ?> e -> array(java.util.Arrays.asList(e.getKey(), e.getValue()), depth);
      default -> string(value.toString());
    }
  }

  private void object(Map<?, ?> map, int depth) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      separator(first, depth + 1);
      first = false;
      string(String.valueOf(e.getKey()));
      out.append(": ");
      write(e.getValue(), depth + 1);
    }
    newline(depth);
    out.append('}');
  }

  private void array(Collection<?> list, int depth) {
    if (list.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    boolean first = true;
    for (Object item : list) {
      separator(first, depth + 1);
      first = false;
      write(item, depth + 1);
    }
    newline(depth);
    out.append(']');
  }

  private void separator(boolean first, int depth) {
    if (!first) {
      out.append(indent < 0 ? ", " : ",");
    }
    newline(depth);
  }

  private void newline(int depth) {
    if (indent >= 0) {
      out.append('\n').repeat(' ', indent * depth);
    }
  }

  private void string(CharSequence s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Python's repr of a float: {@code 1.0}, {@code 1e+20}, {@code NaN}. */
  private static String pyFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    String exp = s.substring(e + 1);
    if (!exp.startsWith("-")) {
      exp = "+" + exp;
    }
    if (exp.length() == 2) {
      exp = exp.charAt(0) + "0" + exp.charAt(1);
    }
    return mantissa + "e" + exp;
  }
}
