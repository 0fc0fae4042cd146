package io.inferd.engine;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admits at most {@code slots} generations at once and lets at most {@code queueCapacity} more
 * wait. Admission is asynchronous so that a queued request holds no thread, and cancelling its
 * future takes it out of the queue. A request beyond the queue fails at once with {@link
 * QueueFullException}.
 */
public final class Scheduler {
  private final int slots;
  private final int queueCapacity;
  private final long retryAfterMillis;
  private final ArrayDeque<CompletableFuture<Permit>> waiting = new ArrayDeque<>();
  private int running;

  public Scheduler(int slots, int queueCapacity, long retryAfterMillis) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots: " + slots + " (expected: >= 1)");
    }
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: >= 0)");
    }
    this.slots = slots;
    this.queueCapacity = queueCapacity;
    this.retryAfterMillis = retryAfterMillis;
  }

  /**
   * A future that completes with a permit once a slot is free. Close the permit when the work ends.
   *
   * @throws QueueFullException when every slot is busy and the queue is full
   */
  public CompletableFuture<Permit> admit() {
    synchronized (this) {
      Permit now = tryAdmit();
      if (now != null) {
        return CompletableFuture.completedFuture(now);
      }
      if (waiting.size() >= queueCapacity) {
        throw new QueueFullException(slots, queueCapacity, retryAfterMillis);
      }
      CompletableFuture<Permit> ticket = new CompletableFuture<>();
      waiting.addLast(ticket);
      // A cancelled ticket leaves the queue at once instead of blocking the line.
      ticket.whenComplete(
          (permit, error) -> {
            if (ticket.isCancelled()) {
              forget(ticket);
            }
          });
      return ticket;
    }
  }

  /**
   * A permit if a slot is free now, else null; nothing is queued. A free slot means that nobody
   * waits: a closing permit hands its slot to the first waiter.
   */
  public synchronized Permit tryAdmit() {
    if (running < slots) {
      running++;
      return new Permit();
    }
    return null;
  }

  private synchronized void forget(CompletableFuture<Permit> ticket) {
    waiting.remove(ticket);
  }

  private void release() {
    while (true) {
      CompletableFuture<Permit> next;
      synchronized (this) {
        next = waiting.pollFirst();
        if (next == null) {
          running--;
          return;
        }
      }
      // Completed outside the lock: the waiter's continuation may run right here.
      if (next.complete(new Permit())) {
        return;
      }
    }
  }

  public int slots() {
    return slots;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** Generations holding a slot now. */
  public synchronized int running() {
    return running;
  }

  /** Requests waiting for a slot now. */
  public synchronized int queued() {
    return waiting.size();
  }

  /** A held slot; closing it more than once has no further effect. */
  public final class Permit implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit() {}

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release();
      }
    }
  }
}
