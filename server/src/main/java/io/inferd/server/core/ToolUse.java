package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.ToolDefinition;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import java.util.List;

/**
 * How one completion uses tools: the definitions rendered into the prompt, whether a call is forced
 * (tool_choice "required" or a named function: the output is grammar-constrained to calls), whether
 * several calls may come in one reply, and how the model's template has it frame a call.
 */
public record ToolUse(
    List<ToolDefinition> tools, boolean forced, boolean parallel, Wrapping wrapping) {
  /** No tools, or tool_choice "none": the reply is text and nothing is read out of it. */
  public static final ToolUse NONE = new ToolUse(List.of(), false, false, Wrapping.NONE);

  public ToolUse {
    tools = List.copyOf(requireNonNull(tools, "tools"));
    requireNonNull(wrapping, "wrapping");
  }

  /** Whether the reply may hold tool calls that the core reads out of its text. */
  public boolean active() {
    return !tools.isEmpty();
  }
}
