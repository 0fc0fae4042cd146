package io.inferd.server.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.inferd.engine.Turn;
import io.inferd.server.core.LimitExceededException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A Chat stream's history, bounded: in bytes (the oldest turns leave first), and in what the model
 * can see (turns a prompt had to drop are dropped for good, since the history only grows). The
 * system prompt stays. Not thread-safe: {@link ChatSession} guards it.
 */
final class ChatHistory {
  /** Bytes of text (UTF-8) a stream keeps; far beyond any context this server runs. */
  static final long MAX_BYTES = 8L << 20;

  private Turn system;
  private final ArrayDeque<Turn> turns = new ArrayDeque<>();
  private final ArrayDeque<Long> sizes = new ArrayDeque<>();
  private long bytes;

  void setSystem(Turn turn) {
    system = turn;
  }

  /** Adds a turn; a single turn over {@link #MAX_BYTES} is refused naming the limit. */
  void add(Turn turn) {
    long size = turn.content().getBytes(UTF_8).length;
    if (size > MAX_BYTES) {
      throw new LimitExceededException(
          "chat message bytes", size, MAX_BYTES, "a Chat stream's history");
    }
    turns.addLast(turn);
    sizes.addLast(size);
    bytes += size;
    while (bytes > MAX_BYTES) {
      dropOldest();
    }
  }

  /** Forgets the {@code n} oldest turns: the last prompt could not fit them, nor will the next. */
  void dropOldest(int n) {
    for (int i = 0; i < n && !turns.isEmpty(); i++) {
      dropOldest();
    }
  }

  private void dropOldest() {
    turns.removeFirst();
    bytes -= sizes.removeFirst();
  }

  int size() {
    return turns.size();
  }

  long bytes() {
    return bytes;
  }

  /** The prompt's turns: system prompt first. */
  List<Turn> snapshot() {
    List<Turn> all = new ArrayList<>(turns.size() + 1);
    if (system != null) {
      all.add(system);
    }
    all.addAll(turns);
    return all;
  }
}
