package io.inferd.engine.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads tool calls out of model output: bare JSON ({@code {"name": .., "arguments": {..}}} or an
 * array of such, as {@link ToolCallGrammar} constrains it), or {@code <tool_call>..</tool_call>}
 * blocks as Qwen- and Hermes-style chat templates have models write them, with text around them.
 */
public final class ToolCalls {
  static final String OPEN = "<tool_call>";
  static final String CLOSE = "</tool_call>";

  private ToolCalls() {}

  /**
   * The calls in {@code modelOutput}; empty when it holds none (plain text, or JSON that is not a
   * call). "parameters" is read as "arguments" (some templates say so), and arguments given as a
   * JSON string (OpenAI's own encoding) are unpacked. A {@code <tool_call>} block whose end is
   * missing runs to the end of the text (generation may stop on the closing tag).
   *
   * @throws IllegalArgumentException if a {@code <tool_call>} block does not hold a call
   */
  public static List<ToolCall> parse(String modelOutput) {
    List<ToolCall> calls = new ArrayList<>();
    if (modelOutput.contains(OPEN)) {
      int at = modelOutput.indexOf(OPEN);
      while (at >= 0) {
        // Read the JSON itself rather than up to the next close tag: a string may contain the tag.
        Json.Parsed parsed;
        try {
          parsed = Json.parsePrefix(modelOutput, at + OPEN.length());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("tool call: " + e.getMessage(), e);
        }
        List<ToolCall> found = calls(parsed.value());
        if (found == null) {
          throw new IllegalArgumentException(
              "tool call: expected {\"name\": ..., \"arguments\": {...}}, got "
                  + abbreviate(modelOutput.substring(at + OPEN.length(), parsed.end())));
        }
        calls.addAll(found);
        int after = skipWs(modelOutput, parsed.end());
        if (after < modelOutput.length() && !modelOutput.startsWith(CLOSE, after)) {
          throw new IllegalArgumentException(
              "tool call: expected " + CLOSE + " after the call at offset " + after);
        }
        at = modelOutput.indexOf(OPEN, after);
      }
      return List.copyOf(calls);
    }
    String text = stripFence(modelOutput.strip());
    if (!text.startsWith("{") && !text.startsWith("[")) {
      return List.of();
    }
    try {
      List<ToolCall> found = calls(Json.parse(text));
      return found == null ? List.of() : found;
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /**
   * The text outside {@code <tool_call>} blocks, stripped (what a reply says besides its calls).
   */
  public static String contentOutside(String modelOutput) {
    StringBuilder sb = new StringBuilder();
    int from = 0;
    int at = modelOutput.indexOf(OPEN);
    while (at >= 0) {
      sb.append(modelOutput, from, at);
      int end;
      try {
        end = skipWs(modelOutput, Json.parsePrefix(modelOutput, at + OPEN.length()).end());
      } catch (IllegalArgumentException e) {
        end = modelOutput.indexOf(CLOSE, at);
      }
      if (end < 0 || end >= modelOutput.length()) {
        from = modelOutput.length();
        break;
      }
      from = modelOutput.startsWith(CLOSE, end) ? end + CLOSE.length() : end;
      at = modelOutput.indexOf(OPEN, from);
    }
    sb.append(modelOutput.substring(Math.min(from, modelOutput.length())));
    return sb.toString().strip();
  }

  /** The calls a JSON value is, or null if it is not a call or a non-empty array of calls. */
  private static List<ToolCall> calls(Object value) {
    if (value instanceof List<?> list) {
      List<ToolCall> out = new ArrayList<>();
      for (Object item : list) {
        ToolCall call = call(item);
        if (call == null) {
          return null;
        }
        out.add(call);
      }
      return out.isEmpty() ? null : List.copyOf(out);
    }
    ToolCall call = call(value);
    return call == null ? null : List.of(call);
  }

  private static ToolCall call(Object value) {
    if (!(value instanceof Map<?, ?> m)
        || !(m.get("name") instanceof String name)
        || name.isEmpty()) {
      return null;
    }
    Object args = m.containsKey("arguments") ? m.get("arguments") : m.get("parameters");
    if (args == null || args == Json.NULL) {
      return new ToolCall(name, "{}");
    }
    if (args instanceof String s) {
      try {
        args = Json.parse(s);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return args instanceof Map<?, ?> ? new ToolCall(name, Json.write(args)) : null;
  }

  private static int skipWs(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static String stripFence(String text) {
    if (text.startsWith("```") && text.endsWith("```") && text.length() >= 6) {
      String inner = text.substring(3, text.length() - 3);
      int newline = inner.indexOf('\n');
      return (newline >= 0 && inner.substring(0, newline).matches("[A-Za-z]*")
              ? inner.substring(newline)
              : inner)
          .strip();
    }
    return text;
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 80 ? t : t.substring(0, 80) + "...";
  }
}
