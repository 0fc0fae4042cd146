package io.inferd.engine.grammar;

import static java.util.Objects.requireNonNull;

/**
 * One function call a model wrote: the tool's name and its arguments as compact JSON object text.
 */
public record ToolCall(String name, String argumentsJson) {
  public ToolCall {
    requireNonNull(name, "name");
    requireNonNull(argumentsJson, "argumentsJson");
  }
}
