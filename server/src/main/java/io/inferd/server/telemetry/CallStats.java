package io.inferd.server.telemetry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one call did, filled in by whichever transport served it and reported once at its end:
 * tokens in and out, time to first token, and who called. Thread-safe: engine and transport threads
 * write.
 */
public final class CallStats {
  private final String protocol;
  private final String method;
  private final String peer;
  private final long startNanos;
  private final AtomicInteger promptTokens = new AtomicInteger();
  private final AtomicInteger completionTokens = new AtomicInteger();
  private final AtomicLong firstTokenNanos = new AtomicLong();
  private volatile String keyId = "-";
  private volatile String note = "";

  public CallStats(String protocol, String method, String peer, long startNanos) {
    this.protocol = protocol;
    this.method = method;
    this.peer = peer == null ? "-" : peer;
    this.startNanos = startNanos;
  }

  /** Adds the tokens of one generation or embedding batch (a Chat stream has several). */
  public void addUsage(int prompt, int completion) {
    promptTokens.addAndGet(prompt);
    completionTokens.addAndGet(completion);
  }

  /** Marks the first generated token; later calls keep the first time. */
  public void firstToken(long nanos) {
    firstTokenNanos.compareAndSet(0, nanos);
  }

  public void keyId(String keyId) {
    this.keyId = keyId;
  }

  /** A short remark for the access log, e.g. {@code fast-mode}. */
  public void note(String note) {
    this.note = note;
  }

  public String protocol() {
    return protocol;
  }

  public String method() {
    return method;
  }

  public String peer() {
    return peer;
  }

  public long startNanos() {
    return startNanos;
  }

  public int promptTokens() {
    return promptTokens.get();
  }

  public int completionTokens() {
    return completionTokens.get();
  }

  /** Nanos from start to the first token, or -1 if no token was generated. */
  public long timeToFirstTokenNanos() {
    long first = firstTokenNanos.get();
    return first == 0 ? -1 : first - startNanos;
  }

  public String keyId() {
    return keyId;
  }

  public String note() {
    return note;
  }
}
