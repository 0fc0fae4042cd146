package io.inferd.engine.template;

/**
 * Per-render bookkeeping, reachable from Jinjava's static callbacks through a thread local:
 * rendering is synchronous on the caller's thread, as Jinjava's own current interpreter is.
 */
final class RenderState {
  private static final ThreadLocal<RenderState> CURRENT = new ThreadLocal<>();

  private final java.time.Clock clock;
  private final long deadlineNanos;
  private final long maxNodes;
  private long nodes;
  private String raised;
  private String limit;

  private RenderState(long budgetNanos, long maxNodes, java.time.Clock clock) {
    this.clock = clock;
    this.deadlineNanos = System.nanoTime() + budgetNanos;
    this.maxNodes = maxNodes;
  }

  static RenderState begin(long budgetNanos, long maxNodes, java.time.Clock clock) {
    RenderState state = new RenderState(budgetNanos, maxNodes, clock);
    CURRENT.set(state);
    return state;
  }

  static void end() {
    CURRENT.remove();
  }

  /** The state of the render on this thread; null outside {@link ChatTemplate#render}. */
  static RenderState current() {
    return CURRENT.get();
  }

  /**
   * Called before every template node. Jinjava turns many exceptions into recorded errors and
   * carries on, so once stopped every later node throws again until the render unwinds.
   */
  void beforeNode() {
    if (raised != null || limit != null) {
      throw new StopRender();
    }
    if (++nodes > maxNodes) {
      exceeded("the template rendered more than " + maxNodes + " nodes");
    }
    // Every node: a loop with an empty body renders no node, so checks can be far apart in time.
    if (System.nanoTime() - deadlineNanos > 0) {
      exceeded("the template ran past its time budget");
    }
  }

  java.time.ZonedDateTime now() {
    return java.time.ZonedDateTime.now(clock);
  }

  void raise(String message) {
    if (raised == null && limit == null) {
      raised = message;
    }
    throw new StopRender();
  }

  void exceeded(String why) {
    if (raised == null && limit == null) {
      limit = why;
    }
    throw new StopRender();
  }

  String raised() {
    return raised;
  }

  String limit() {
    return limit;
  }

  /** Unwinds a render that {@link RenderState} decided to stop; the reason is in the state. */
  static final class StopRender extends RuntimeException {
    StopRender() {
      super("render stopped", null, false, false);
    }
  }
}
