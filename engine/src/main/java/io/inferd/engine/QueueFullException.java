package io.inferd.engine;

/** Every slot is busy and the wait queue is full; the caller should retry later. */
public final class QueueFullException extends RuntimeException {
  private final long retryAfterMillis;

  public QueueFullException(int slots, int queueCapacity, long retryAfterMillis) {
    super(
        "server busy: all "
            + slots
            + " generation slots are in use and "
            + queueCapacity
            + " requests are already waiting; retry later");
    this.retryAfterMillis = retryAfterMillis;
  }

  /** A full queue other than the generation slots' (e.g. embeddings), described by {@code message}. */
  public QueueFullException(String message, long retryAfterMillis) {
    super(message);
    this.retryAfterMillis = retryAfterMillis;
  }

  /** A hint for when a slot is likely to free up. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
