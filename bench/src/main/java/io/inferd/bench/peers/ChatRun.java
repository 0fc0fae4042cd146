package io.inferd.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A growing conversation: each turn adds about {@code userTokens} tokens of user text and asks for
 * {@code replyTokens}; per-turn latency (message sent to whole reply received) on inferd's gRPC
 * Chat (one bidirectional call for all turns), on llama-server and on inferd's REST gateway (each
 * turn a request with the whole history, as OpenAI clients do).
 */
final class ChatRun {
  private static final String[] WORDS =
      ("the cat and dog went to the park with a friend to play ball in the sun . she saw a big"
              + " red boat on the water and said that it was very nice . they ran home for cake"
              + " and apple before night came , then read a book about the king and queen of a"
              + " small city")
          .split(" ");

  /** Tokens the chat template puts around a user message and opens the reply with (ChatML). */
  static final int TEMPLATE_TOKENS_PER_TURN = 10;

  private ChatRun() {}

  /** Tokens a turn prefills: its user message in the template. */
  static int promptTokensPerTurn(int userTokens) {
    return userTokens + TEMPLATE_TOKENS_PER_TURN;
  }

  /** Tokens of history in the context when the last of {@code turns} turns starts. */
  static int depthAtLastTurn(int turns, int userTokens, int replyTokens) {
    return (turns - 1) * (promptTokensPerTurn(userTokens) + replyTokens);
  }

  /** Distinct user messages of about {@code tokens} tokens each (one word is one token). */
  static List<String> userMessages(int turns, int tokens, long seed) {
    Random random = new Random(seed);
    List<String> messages = new ArrayList<>();
    for (int t = 0; t < turns; t++) {
      StringBuilder text = new StringBuilder("Turn " + (t + 1) + ":");
      for (int w = 0; w < tokens - 4; w++) {
        text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
      }
      messages.add(text.toString());
    }
    return messages;
  }

  /** Each turn a request with the whole history so far; returns per-turn milliseconds. */
  static List<Double> overOpenAi(
      OpenAiTarget target, List<String> userMessages, int replyTokens, float temperature)
      throws Exception {
    List<OpenAiTarget.Turn> history = new ArrayList<>();
    List<Double> millis = new ArrayList<>();
    for (String text : userMessages) {
      history.add(new OpenAiTarget.Turn("user", text));
      long start = System.nanoTime();
      String reply = target.complete(history, replyTokens, temperature);
      millis.add((System.nanoTime() - start) / 1e6);
      history.add(new OpenAiTarget.Turn("assistant", reply));
    }
    return millis;
  }

  /** Per-turn latencies of one conversation on one target. */
  record Times(String target, List<Double> millis) {
    double ratioLastToFirst() {
      return millis.isEmpty() ? 0 : millis.getLast() / millis.getFirst();
    }
  }
}
