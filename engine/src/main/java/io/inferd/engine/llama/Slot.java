package io.inferd.engine.llama;

import java.util.Arrays;

/**
 * One llama.cpp sequence id and the tokens its KV memory holds now, kept after a generation ends so
 * that the next prompt that starts the same way (a Chat's next turn, a shared system prompt)
 * prefills only the rest.
 */
final class Slot {
  final int id;
  private int[] tokens = new int[64];
  private int size;
  Sequence active;
  long lastUsed;

  Slot(int id) {
    this.id = id;
  }

  int size() {
    return size;
  }

  void append(int token) {
    if (size == tokens.length) {
      tokens = Arrays.copyOf(tokens, size * 2);
    }
    tokens[size++] = token;
  }

  void truncate(int length) {
    size = Math.min(size, length);
  }

  /** How many leading tokens of {@code prompt} this slot's memory already holds. */
  int commonPrefix(int[] prompt) {
    int n = Math.min(size, prompt.length);
    int i = 0;
    while (i < n && tokens[i] == prompt[i]) {
      i++;
    }
    return i;
  }
}
