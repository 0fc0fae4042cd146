package io.inferd.engine;

/** Every slot is busy and the wait queue is full; the caller should retry later. */
public final class QueueFullException extends InferenceException {
  public QueueFullException(int slots, int queueCapacity, long retryAfterMillis) {
    this(
        "server busy: all "
            + slots
            + " generation slots are in use and "
            + queueCapacity
            + " requests are already waiting; retry later",
        retryAfterMillis); // when a slot is likely to free up
  }

  /**
   * A full queue other than the generation slots' (e.g. embeddings), described by {@code message}.
   */
  public QueueFullException(String message, long retryAfterMillis) {
    super(Kind.RESOURCE_EXHAUSTED, "server_busy", message, retryAfterMillis, null);
  }
}
