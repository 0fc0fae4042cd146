package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One message of a conversation. An assistant turn may carry the tool calls it made; a {@link
 * Role#TOOL} turn answers one of them ({@code toolCallId}, empty otherwise).
 */
public record Turn(Role role, String content, List<ToolCall> toolCalls, String toolCallId) {
  public Turn {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
    toolCalls = List.copyOf(requireNonNull(toolCalls, "toolCalls"));
    requireNonNull(toolCallId, "toolCallId");
  }

  public Turn(Role role, String content) {
    this(role, content, List.of(), "");
  }

  public static Turn system(String content) {
    return new Turn(Role.SYSTEM, content);
  }

  public static Turn user(String content) {
    return new Turn(Role.USER, content);
  }

  public static Turn assistant(String content) {
    return new Turn(Role.ASSISTANT, content);
  }

  /** A call of a tool by name, with its arguments as JSON text. */
  public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
      requireNonNull(id, "id");
      requireNonNull(name, "name");
      requireNonNull(argumentsJson, "argumentsJson");
    }
  }
}
