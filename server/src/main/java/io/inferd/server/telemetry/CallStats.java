package io.inferd.server.telemetry;

import io.inferd.server.core.GenerationObserver;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one call did, filled in by whichever transport served it and reported once at its end:
 * model, tokens in and out, time to first token, who called, and the call's trace (the core reports
 * each generation's phases here, which become spans). Thread-safe: engine and transport threads
 * write.
 */
public final class CallStats implements GenerationObserver {
  private final String protocol;
  private final String method;
  private final String peer;
  private final long startNanos;
  private final CallTrace trace;
  private final AtomicInteger promptTokens = new AtomicInteger();
  private final AtomicInteger completionTokens = new AtomicInteger();
  private final AtomicLong firstTokenNanos = new AtomicLong();
  private volatile String keyId = "-";
  private volatile String note = "";
  private volatile String model = "";

  /** A call outside any trace. */
  public CallStats(String protocol, String method, String peer, long startNanos) {
    this(protocol, method, peer, startNanos, CallTrace.NONE);
  }

  CallStats(String protocol, String method, String peer, long startNanos, CallTrace trace) {
    this.protocol = protocol;
    this.method = method;
    this.peer = peer == null ? "-" : peer;
    this.startNanos = startNanos;
    this.trace = trace;
  }

  /** The model that served the call (the resolved name); the last one told wins. */
  @Override
  public void model(String name) {
    this.model = name == null ? "" : name;
  }

  /** One generation's queue, prefill and decode, as spans under the call's. */
  @Override
  public void generated(Phases phases) {
    trace.phases(phases);
  }

  /** Adds the tokens of one generation or embedding batch (a Chat stream has several). */
  public void addUsage(int prompt, int completion) {
    promptTokens.addAndGet(prompt);
    completionTokens.addAndGet(completion);
  }

  /** Notes the first token's time; later calls cost a read (every token calls it). */
  public void firstToken() {
    if (firstTokenNanos.get() == 0) {
      firstTokenNanos.compareAndSet(0, System.nanoTime());
    }
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

  /** The model that served the call, or "" when none did (rejected, or no model involved). */
  public String model() {
    return model;
  }

  /** The call's trace id (32 hex digits: the caller's from traceparent, or a new one), or "-". */
  public String traceId() {
    return trace.traceId();
  }

  CallTrace trace() {
    return trace;
  }
}
