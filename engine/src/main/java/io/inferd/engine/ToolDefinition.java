package io.inferd.engine;

import static java.util.Objects.requireNonNull;

/**
 * A function the model may call: its name, what it does, and its parameters as JSON Schema text.
 */
public record ToolDefinition(String name, String description, String parametersJsonSchema) {
  public ToolDefinition {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(parametersJsonSchema, "parametersJsonSchema");
  }
}
