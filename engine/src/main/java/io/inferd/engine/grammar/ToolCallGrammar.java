package io.inferd.engine.grammar;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.ToolDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * GBNF for a forced tool call: {@code {"name": "<tool>", "arguments": <object valid for that
 * tool>}}, so that tool_choice "required" or a named function always yields a known name and valid
 * arguments. Properties are written in that order ("name" first), with bounded whitespace as in
 * {@link JsonSchemaGrammar}. {@link ToolCalls#parse} reads the result back.
 */
public final class ToolCallGrammar {
  /** Most calls in one reply when parallel calls are allowed (bounded, so the model must stop). */
  public static final int MAX_PARALLEL_CALLS = 8;

  /** How calls are framed in the model's output. */
  public enum Wrapping {
    /** Bare JSON: one call object, or a JSON array of them when parallel. */
    NONE,
    /**
     * Each call inside {@code <tool_call>} and {@code </tool_call>} (Qwen, Hermes and similar chat
     * templates); parallel calls are consecutive blocks.
     */
    TOOL_CALL_TAGS
  }

  private ToolCallGrammar() {}

  /** One call to any of the tools, as bare JSON (tool_choice "required"). */
  public static String required(List<ToolDefinition> tools) {
    return grammar(tools, Optional.empty(), false, Wrapping.NONE);
  }

  /** One call to the tool named {@code name}, as bare JSON (tool_choice naming a function). */
  public static String named(List<ToolDefinition> tools, String name) {
    return grammar(tools, Optional.of(name), false, Wrapping.NONE);
  }

  /**
   * The grammar for calls to {@code forced} (if present) or any of {@code tools}.
   *
   * @param parallel whether 1 to {@link #MAX_PARALLEL_CALLS} calls may be written instead of
   *     exactly one
   * @throws UnsupportedSchemaException if a tool's parameter schema cannot be expressed (the
   *     message starts with the tool's name)
   * @throws IllegalArgumentException if there are no tools, names repeat, or {@code forced} is
   *     unknown
   */
  public static String grammar(
      List<ToolDefinition> tools, Optional<String> forced, boolean parallel, Wrapping wrapping) {
    requireNonNull(tools, "tools");
    requireNonNull(forced, "forced");
    requireNonNull(wrapping, "wrapping");
    if (tools.isEmpty()) {
      throw new IllegalArgumentException("tools: empty (expected: at least one tool)");
    }
    Set<String> names = new HashSet<>();
    for (ToolDefinition t : tools) {
      if (t.name().isEmpty()) {
        throw new IllegalArgumentException("tools: a tool without a name");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tools: \"" + t.name() + "\" appears twice");
      }
    }
    if (forced.isPresent() && !names.contains(forced.get())) {
      throw new IllegalArgumentException(
          "tool_choice: \"" + forced.get() + "\" (expected: one of the tools " + names + ")");
    }
    GrammarBuilder g = new GrammarBuilder();
    String root = g.reserve("root");
    JsonRules json = new JsonRules(g);
    String ws = json.ws();
    List<String> calls = new ArrayList<>();
    for (ToolDefinition t : tools) {
      if (forced.isPresent() && !forced.get().equals(t.name())) {
        continue;
      }
      String schema =
          t.parametersJsonSchema().isBlank() ? "{\"type\":\"object\"}" : t.parametersJsonSchema();
      String args;
      try {
        args = JsonSchemaGrammar.compile(g, schema, GrammarBuilder.sanitize(t.name()) + "-");
      } catch (UnsupportedSchemaException e) {
        throw e.within("tool \"" + t.name() + "\" parameters");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "tool \"" + t.name() + "\" parameters: " + e.getMessage(), e);
      }
      String body =
          GrammarBuilder.join(
              "\"{\"",
              ws,
              GrammarBuilder.literal("\"name\""),
              ws,
              "\":\"",
              ws,
              GrammarBuilder.literal(Json.quote(t.name())),
              ws,
              "\",\"",
              ws,
              GrammarBuilder.literal("\"arguments\""),
              ws,
              "\":\"",
              ws,
              args,
              ws,
              "\"}\"");
      calls.add(g.rule("call-" + t.name(), body));
    }
    String call = g.rule("call", String.join(" | ", calls));
    String rootBody;
    if (wrapping == Wrapping.TOOL_CALL_TAGS) {
      String tagged =
          g.rule(
              "tagged-call",
              GrammarBuilder.join("\"<tool_call>\"", ws, call, ws, "\"</tool_call>\""));
      rootBody =
          parallel
              ? GrammarBuilder.join(
                  tagged,
                  g.repeat(
                      g.rule("more-tagged-calls", ws + " " + tagged), 0, MAX_PARALLEL_CALLS - 1))
              : tagged;
    } else if (parallel) {
      String more = g.rule("more-calls", GrammarBuilder.join(ws, "\",\"", ws, call));
      rootBody =
          GrammarBuilder.join(
              "\"[\"", ws, call, g.repeat(more, 0, MAX_PARALLEL_CALLS - 1), ws, "\"]\"");
    } else {
      rootBody = call;
    }
    g.define(root, rootBody);
    String over = g.overLimit();
    if (over != null) {
      throw new IllegalArgumentException("tools: " + over);
    }
    return g.build();
  }
}
