package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.Turn;
import java.util.List;

/**
 * A completion request as either transport received it, before validation. {@code topP} and {@code
 * seed} are null when the client did not set them; {@code maxTokens} 0 means the server default.
 */
public record CompletionInput(
    String model,
    List<InputMessage> messages,
    float temperature,
    int maxTokens,
    Float topP,
    Integer seed,
    GenerationControls controls) {

  public CompletionInput {
    model = model == null ? "" : model;
    messages = List.copyOf(requireNonNull(messages, "messages"));
    requireNonNull(controls, "controls");
  }

  /** Without generation controls beyond temperature, top_p and seed. */
  public CompletionInput(
      String model,
      List<InputMessage> messages,
      float temperature,
      int maxTokens,
      Float topP,
      Integer seed) {
    this(model, messages, temperature, maxTokens, topP, seed, GenerationControls.NONE);
  }

  /**
   * One message as received: the role is checked by validation, not here. An assistant message may
   * carry the tool calls it made; a "tool" message names the call it answers ({@code toolCallId}).
   */
  public record InputMessage(
      String role, String content, List<Turn.ToolCall> toolCalls, String toolCallId) {
    public InputMessage {
      role = role == null ? "" : role;
      content = content == null ? "" : content;
      toolCalls = List.copyOf(requireNonNull(toolCalls, "toolCalls"));
      toolCallId = toolCallId == null ? "" : toolCallId;
    }

    public InputMessage(String role, String content) {
      this(role, content, List.of(), "");
    }
  }
}
