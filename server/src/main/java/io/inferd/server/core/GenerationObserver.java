package io.inferd.server.core;

/**
 * What the core tells the call it works for: the model a completion runs on and, for each
 * generation it ran (a choice, a Chat turn), when it was queued, started on the engine, produced
 * its first token and ended. Telemetry turns these into metrics labels and the queue, prefill and
 * decode spans, so the core and the engines stay free of tracing types. Called from transport and
 * engine threads.
 */
public interface GenerationObserver {
  /** Tells nothing to nobody. */
  GenerationObserver NONE = new GenerationObserver() {};

  /** The model a planned completion runs on (the resolved name, never the one asked for). */
  default void model(String name) {}

  /** One generation ended, ran or not; called once per generation, after its last token. */
  default void generated(Phases phases) {}

  /**
   * The phases of one generation, as {@link System#nanoTime()} values; 0 marks a phase that never
   * began. Queue: from {@code queued} to {@code started} (a slot and an engine thread); prefill:
   * from {@code started} to {@code firstToken} (the prompt is read); decode: from {@code
   * firstToken} to {@code ended}. A generation cancelled in the queue has only {@code queued} and
   * {@code ended}.
   *
   * @param choice the choice's index within its completion
   * @param promptTokens 0 when it did not finish
   * @param completionTokens 0 when it did not finish
   */
  record Phases(
      int choice,
      long queued,
      long started,
      long firstToken,
      long ended,
      int promptTokens,
      int completionTokens) {}
}
