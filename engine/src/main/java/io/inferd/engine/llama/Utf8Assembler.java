package io.inferd.engine.llama;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns token pieces into text: a token may end inside a multi-byte character, so the bytes of an
 * incomplete character wait for the next piece.
 */
final class Utf8Assembler {
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** The text completed by {@code piece}; empty while a character is still incomplete. */
  String feed(byte[] piece) {
    pending.writeBytes(piece);
    byte[] bytes = pending.toByteArray();
    int complete = completePrefix(bytes);
    pending.reset();
    pending.write(bytes, complete, bytes.length - complete);
    return new String(bytes, 0, complete, StandardCharsets.UTF_8);
  }

  /** What is left at the end (a broken character becomes U+FFFD). */
  String flush() {
    String rest = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    return rest;
  }

  /**
   * Length of the longest prefix that does not end inside a character that later bytes could
   * finish.
   */
  static int completePrefix(byte[] b) {
    int n = b.length;
    // Look back at most 3 bytes for the lead byte of a character still missing continuation bytes.
    for (int back = 1; back <= Math.min(3, n); back++) {
      int lead = b[n - back] & 0xFF;
      if ((lead & 0xC0) == 0x80) {
        continue; // continuation byte: keep looking for its lead
      }
      int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      return need > back ? n - back : n;
    }
    return n;
  }
}
