package io.inferd.bench.peers;

import java.util.List;

/**
 * How the peer comparison runs. {@code calls}: streams each worker makes back to back per run;
 * {@code rounds}: runs per target and level, alternating targets (A B C, then C B A, …) so drift
 * hits all of them; {@code slotContext}: tokens per sequence on both servers; {@code flashAttn}:
 * llama.cpp's flash attention (auto, on, off), the same on every side; {@code firstTokenRequests}:
 * short requests, one at a time, per target for the first-token latency (0: none, the 1-stream
 * level's figures stand).
 */
public record PeersConfig(
    int threads,
    List<Integer> levels,
    int calls,
    int rounds,
    int maxTokens,
    int warmupCalls,
    int chatTurns,
    int chatUserTokens,
    int chatReplyTokens,
    int chatRepeats,
    int slotContext,
    int llamaBenchRepetitions,
    boolean rest,
    String flashAttn,
    int firstTokenRequests) {

  public PeersConfig {
    levels = List.copyOf(levels);
    if (threads < 1 || calls < 1 || rounds < 1 || maxTokens < 2 || levels.isEmpty()) {
      throw new IllegalArgumentException("peers config: " + this);
    }
  }

  /** The report's configuration. */
  public static PeersConfig full() {
    return new PeersConfig(
        2, List.of(1, 2, 4, 8, 16), 4, 2, 128, 2, 10, 100, 32, 2, 2048, 3, true, "auto", 60);
  }

  /** A short run: 3 streams per worker, one round. */
  public static PeersConfig quick() {
    return new PeersConfig(
        2, List.of(1, 2, 4, 8, 16), 3, 1, 128, 1, 10, 100, 32, 1, 2048, 2, true, "auto", 30);
  }

  int maxLevel() {
    return levels.stream().mapToInt(Integer::intValue).max().orElse(1);
  }

  /** Tokens one Chat turn prefills: its user message in the template. */
  int chatTurnPromptTokens() {
    return ChatRun.promptTokensPerTurn(chatUserTokens);
  }

  /** Tokens of history when the Chat's last turn starts. */
  int chatLastTurnDepth() {
    return ChatRun.depthAtLastTurn(chatTurns, chatUserTokens, chatReplyTokens);
  }

  String describe() {
    return String.format(
        "%d threads; levels %s; %d streams per worker per run, %d round(s) A/B per level; %d tokens"
            + " out, temperature 0; Chat %d turns of ~%d user tokens, %d-token replies, %d"
            + " conversation(s) per target; %d tokens per sequence; flash attention %s on every"
            + " side",
        threads,
        levels,
        calls,
        rounds,
        maxTokens,
        chatTurns,
        chatUserTokens,
        chatReplyTokens,
        chatRepeats,
        slotContext,
        flashAttn);
  }
}
