package io.inferd.server.core;

import io.inferd.engine.Turn;
import io.inferd.engine.grammar.ToolCall;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import io.inferd.engine.grammar.ToolCalls;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Holds back the part of one choice's text that may be tool calls, and reads the calls out of it
 * when the generation ends. With {@code <tool_call>} tags and tool_choice "auto", text before the
 * first tag streams as it comes (a tag split across tokens is held until it is decided); with bare
 * JSON calls, a reply that starts as JSON (or a code fence) is held whole and any other streams; a
 * forced call holds the whole reply. Not thread-safe: one generation owns one.
 */
final class ToolCallCapture {
  private static final String OPEN = "<tool_call>";

  private final ToolUse use;
  private final StringBuilder held = new StringBuilder();
  private boolean capturing;
  private boolean passing; // a bare-JSON template's reply that did not start as JSON: plain text

  /** What is left to send when the generation ended, and the calls found. */
  record Result(String rest, List<Turn.ToolCall> calls) {}

  ToolCallCapture(ToolUse use) {
    this.use = use;
    this.capturing = use.active() && use.forced();
  }

  /** Takes released text and returns what may reach the client now. */
  String accept(String text) {
    if (!use.active() || passing) {
      return text;
    }
    held.append(text);
    if (capturing) {
      return "";
    }
    if (use.wrapping() == Wrapping.NONE) {
      // A bare-JSON call is the whole reply, so its first character decides.
      String start = held.toString().stripLeading();
      if (start.isEmpty()) {
        return "";
      }
      if (start.startsWith("{") || start.startsWith("[") || start.startsWith("`")) {
        capturing = true;
        return "";
      }
      passing = true;
      return take(held.length());
    }
    int at = held.indexOf(OPEN);
    if (at >= 0) {
      capturing = true;
      return take(at);
    }
    return take(held.length() - partialTag());
  }

  /** After the last piece: the text still to send (not the calls) and the calls. */
  Result finish() {
    String rest = held.toString();
    held.setLength(0);
    if (!use.active() || rest.isEmpty()) {
      return new Result(rest, List.of());
    }
    List<ToolCall> found;
    try {
      found = ToolCalls.parse(rest);
    } catch (IllegalArgumentException notACall) { // cut short, or text the model made up
      return new Result(rest, List.of());
    }
    if (found.isEmpty()) {
      return new Result(rest, List.of());
    }
    if (!use.parallel() && found.size() > 1) {
      found = found.subList(0, 1);
    }
    List<Turn.ToolCall> calls = new ArrayList<>(found.size());
    for (ToolCall call : found) {
      calls.add(new Turn.ToolCall(newCallId(), call.name(), call.argumentsJson()));
    }
    return new Result(rest.contains(OPEN) ? ToolCalls.contentOutside(rest) : "", calls);
  }

  private String take(int chars) {
    String out = held.substring(0, chars);
    held.delete(0, chars);
    return out;
  }

  /** The length of the longest end of the held text that is the start of the tag. */
  private int partialTag() {
    for (int n = Math.min(OPEN.length() - 1, held.length()); n > 0; n--) {
      if (held.substring(held.length() - n).equals(OPEN.substring(0, n))) {
        return n;
      }
    }
    return 0;
  }

  /** An id for a call, as OpenAI writes them: {@code call_} and 24 hex digits. */
  static String newCallId() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "call_" + HexFormat.of().formatHex(bytes);
  }
}
