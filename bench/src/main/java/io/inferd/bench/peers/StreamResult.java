package io.inferd.bench.peers;

/**
 * One streamed answer as the client saw it: when it was sent, when the first and last token
 * arrived, how many content chunks came and how many tokens the server said it generated.
 */
record StreamResult(
    long startNanos, long firstNanos, long lastNanos, long endNanos, int chunks, int usageTokens) {

  /** Tokens received: the server's count when it sent one, else the content chunks. */
  int tokens() {
    return usageTokens >= 0 ? usageTokens : chunks;
  }

  double ttftMillis() {
    return (firstNanos - startNanos) / 1e6;
  }

  /** Decode rate after the first token: (tokens - 1) / (last - first). */
  double decodeTokPerSec() {
    long span = lastNanos - firstNanos;
    return tokens() > 1 && span > 0 ? (tokens() - 1) / (span / 1e9) : 0;
  }

  /** Collects one stream's timings; not thread-safe (one call's callbacks never run at once). */
  static final class Timer {
    private final long start = System.nanoTime();
    private long first;
    private long last;
    private int chunks;
    private int usage = -1;

    void content() {
      long now = System.nanoTime();
      if (chunks++ == 0) {
        first = now;
      }
      last = now;
    }

    void usage(int completionTokens) {
      usage = completionTokens;
    }

    int chunks() {
      return chunks;
    }

    StreamResult done() {
      if (chunks == 0) {
        throw new IllegalStateException("the stream ended without a token");
      }
      return new StreamResult(start, first, last, System.nanoTime(), chunks, usage);
    }
  }
}
