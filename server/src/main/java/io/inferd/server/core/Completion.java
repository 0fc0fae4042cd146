package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.Turn.ToolCall;
import java.util.List;

/**
 * The choices of one completion, in index order, with usage for all of them; {@code promptTokens}
 * counts each prompt once (n choices of one prompt share it, as OpenAI counts them).
 */
public record Completion(List<Choice> choices, int promptTokens) {
  public Completion {
    choices = List.copyOf(requireNonNull(choices, "choices"));
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("choices: none (expected: at least one)");
    }
  }

  /** The choices of one prompt. */
  public Completion(List<Choice> choices) {
    this(choices, choices.getFirst().generation().promptTokens());
  }

  /**
   * One choice: its text (without the tool calls) and finish reason, its tokens' log-probabilities
   * when asked for, and the tool calls it made (finish reason TOOL_CALLS).
   */
  public record Choice(
      int index, Generation generation, List<GeneratedToken> logprobs, List<ToolCall> toolCalls) {
    public Choice {
      requireNonNull(generation, "generation");
      logprobs = List.copyOf(requireNonNull(logprobs, "logprobs"));
      toolCalls = List.copyOf(requireNonNull(toolCalls, "toolCalls"));
    }

    public Choice(int index, Generation generation, List<GeneratedToken> logprobs) {
      this(index, generation, logprobs, List.of());
    }
  }

  public int completionTokens() {
    int tokens = 0;
    for (Choice choice : choices) {
      tokens += choice.generation().completionTokens();
    }
    return tokens;
  }

  /** The first choice, the only one unless n was asked for. */
  public Generation first() {
    return choices.getFirst().generation();
  }
}
