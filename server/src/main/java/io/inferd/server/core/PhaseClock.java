package io.inferd.server.core;

import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.TokenSink;

/**
 * Times one generation's phases for its {@link GenerationObserver}: created when it is queued, told
 * when the engine starts on it, and a sink in front of the caller's that notes the first token.
 */
final class PhaseClock implements TokenSink {
  private final int choice;
  private final TokenSink sink;
  private final long queued = System.nanoTime();
  private volatile long started;
  private volatile long firstToken;
  private volatile long ended;

  PhaseClock(int choice, TokenSink sink) {
    this.choice = choice;
    this.sink = sink;
  }

  /** The engine thread begins; called on it. */
  void start() {
    started = System.nanoTime();
  }

  /** The engine returned (or threw); called on its thread before the result is completed. */
  void stop() {
    ended = System.nanoTime();
  }

  @Override
  public boolean onToken(String text) {
    mark();
    return sink.onToken(text);
  }

  @Override
  public boolean onToken(GeneratedToken token) {
    mark();
    return sink.onToken(token);
  }

  private void mark() {
    if (firstToken == 0) { // only the engine thread writes
      firstToken = System.nanoTime();
    }
  }

  /** The phases up to now; {@code generation} is null when it failed or was cancelled. */
  GenerationObserver.Phases end(Generation generation) {
    return new GenerationObserver.Phases(
        choice,
        queued,
        started,
        firstToken,
        ended != 0 ? ended : System.nanoTime(), // not run, or cancelled while it ran
        generation == null ? 0 : generation.promptTokens(),
        generation == null ? 0 : generation.completionTokens());
  }
}
