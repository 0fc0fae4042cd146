package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Finds stop sequences in generated text that arrives piece by piece. Text that could still become
 * the start of a stop sequence is held back until the next piece decides it, so a stop split across
 * tokens still stops and none of it is ever released. Not thread-safe: one generation owns one.
 */
public final class StopMatcher {
  private final List<String> stops;
  private final StringBuilder held = new StringBuilder();
  private long released; // chars released so far
  private boolean stopped;

  public StopMatcher(List<String> stops) {
    this.stops = List.copyOf(requireNonNull(stops, "stops"));
    for (String stop : this.stops) {
      if (stop.isEmpty()) {
        throw new IllegalArgumentException("stop: an empty string (expected: non-empty strings)");
      }
    }
  }

  /**
   * Takes the next piece of text and returns what may be released now (possibly empty). After a
   * stop sequence was found, returns only the text before it and ignores everything later.
   */
  public String accept(String text) {
    if (stopped) {
      return "";
    }
    if (stops.isEmpty() && !Character.isHighSurrogate(lastChar(text)) && held.isEmpty()) {
      released += text.length(); // nothing to look for: the piece passes as it is
      return text;
    }
    held.append(text);
    int at = firstStop();
    if (at >= 0) {
      stopped = true;
      return release(at);
    }
    int keep = longestPartialStop();
    int cut = held.length() - keep;
    // Never release half of a surrogate pair; the other half comes with the next piece.
    if (cut > 0 && Character.isHighSurrogate(held.charAt(cut - 1))) {
      cut--;
    }
    return release(cut);
  }

  /** The text still held back, released because generation ended without a stop sequence. */
  public String flush() {
    return stopped ? "" : release(held.length());
  }

  public boolean stopped() {
    return stopped;
  }

  /** Characters released so far: everything before this offset reached the client. */
  public long releasedChars() {
    return released;
  }

  private static char lastChar(String text) {
    return text.isEmpty() ? 0 : text.charAt(text.length() - 1);
  }

  private String release(int end) {
    String out = held.substring(0, end);
    held.delete(0, stopped ? held.length() : end);
    released += out.length();
    return out;
  }

  private int firstStop() {
    int first = -1;
    for (String stop : stops) {
      int at = held.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** The length of the longest end of the held text that is the beginning of some stop sequence. */
  private int longestPartialStop() {
    int longest = 0;
    for (String stop : stops) {
      int max = Math.min(stop.length() - 1, held.length());
      for (int len = max; len > longest; len--) {
        if (endsWithStart(len, stop)) {
          longest = len;
          break;
        }
      }
    }
    return longest;
  }

  /** Whether the last {@code len} held chars are the first {@code len} of {@code stop}. */
  private boolean endsWithStart(int len, String stop) {
    int from = held.length() - len;
    for (int i = 0; i < len; i++) {
      if (held.charAt(from + i) != stop.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
