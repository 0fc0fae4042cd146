package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream's way out, for every transport: the engine thread {@link #offer offers} each message
 * and waits while the transport cannot take it — so a slow reader slows its own generation instead
 * of filling a buffer — but never longer than the idle timeout, so a reader that takes nothing
 * cannot hold a slot; a client that left is noticed before the next token is decoded. The transport
 * {@link #wake wakes} the outlet when it becomes ready or the client leaves (gRPC's ready and
 * cancel handlers; a finished SSE write).
 *
 * @param <T> the transport's message
 */
public final class StreamOutlet<T> {
  /** How an offer ended. */
  public enum Outcome {
    WRITTEN,
    /** The client left; nothing more will be written. */
    GONE,
    /** The reader took nothing for the idle timeout; the stream must end. */
    IDLE_TIMEOUT
  }

  /** What the outlet needs of a transport; {@link #ready} and {@link #gone} must not block. */
  public interface Transport<T> {
    /** Whether a message can be written now without queueing beyond the transport's window. */
    boolean ready();

    /** Whether the client left (cancelled, disconnected, deadline passed). */
    boolean gone();

    /** Writes one message; false when the client turned out to be gone. */
    boolean write(T message);

    /**
     * Whether {@link #write} hands the message to the transport's own queue, so it is on its way
     * when write returns (gRPC); otherwise it is out only once the transport is ready again (SSE:
     * the request thread writes it and only then learns whether the client is still there).
     */
    default boolean queuesWrites() {
      return false;
    }

    /**
     * What a message adds to a queueing transport's queue, in bytes: the outlet asks whether the
     * transport is {@link #ready} again only once it wrote {@link #UNASKED_BYTES} since it last
     * did.
     */
    default int queuedSize(T message) {
      return Integer.MAX_VALUE; // unknown: ask before every message
    }
  }

  /**
   * A queueing transport that said it was ready takes this many more bytes before it is asked
   * again: a quarter of grpc-java's own bound on a stream's queue (32 KiB) more at most, instead of
   * taking, for every token, the lock its event loop takes for every frame it sends.
   */
  public static final int UNASKED_BYTES = 8 * 1024;

  // Waits re-check the transport at least this often: the cap only guards against a missed wake.
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Transport<T> transport;
  private final long idleTimeoutNanos;
  private volatile Outcome ended; // GONE or IDLE_TIMEOUT, once decided
  private volatile int written;
  private long unaskedBytes; // a queueing transport's bytes left before it is asked again

  public StreamOutlet(Transport<T> transport, Duration idleTimeout) {
    this.transport = requireNonNull(transport, "transport");
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  /** The transport became ready, or the client left: a waiting offer looks again. */
  public void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the transport is ready, writes {@code message}, then waits until it is on its way
   * (a queueing transport took it; another one is ready again), so the next token is decoded only
   * once this one is out and a client that left is noticed before it. The engine's token callback
   * returns whether this was {@link Outcome#WRITTEN} (false stops decoding). Each wait is bounded
   * by the idle timeout. One engine thread offers at a time.
   */
  public Outcome offer(T message) {
    boolean ask = unaskedBytes <= 0;
    Outcome ready = ask ? awaitReady() : endedNow();
    if (ready != null && ready != Outcome.WRITTEN) {
      return ready;
    }
    // Outside the lock: a transport's write may run its own handlers, which wake this outlet.
    if (!transport.write(message)) {
      return end(Outcome.GONE);
    }
    written++;
    if (transport.queuesWrites()) {
      // On its way; whether the next one may follow is asked when it is offered.
      unaskedBytes = (ask ? UNASKED_BYTES : unaskedBytes) - transport.queuedSize(message);
      Outcome over = endedNow();
      return over == null ? Outcome.WRITTEN : over;
    }
    return awaitReady();
  }

  /** WRITTEN once the transport is ready; GONE or IDLE_TIMEOUT when it will not be. */
  private Outcome awaitReady() {
    Outcome now = readyNow(); // the common case, a reader keeping up: no lock, no clock
    if (now != null) {
      return now;
    }
    var wait = new ReadyWait(System.nanoTime() + idleTimeoutNanos);
    try {
      // A generation on a ForkJoinPool worker (an engine that only computes) lets its pool keep
      // others running meanwhile: the wake may come from a task queued in that same pool.
      ForkJoinPool.managedBlock(wait);
    } catch (RejectedExecutionException e) { // the pool is at its thread limit: wait regardless
      wait.block();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return end(Outcome.GONE);
    }
    return wait.outcome;
  }

  /** One wait for the transport, bounded by the idle timeout. */
  private final class ReadyWait implements ForkJoinPool.ManagedBlocker {
    private final long giveUpAt;
    private Outcome outcome;

    ReadyWait(long giveUpAt) {
      this.giveUpAt = giveUpAt;
    }

    @Override
    public boolean isReleasable() {
      outcome = readyNow();
      return outcome != null;
    }

    @Override
    public boolean block() {
      lock.lock();
      try {
        while ((outcome = readyNow()) == null) {
          long left = giveUpAt - System.nanoTime();
          if (left <= 0) {
            outcome = end(Outcome.IDLE_TIMEOUT);
            break;
          }
          changed.awaitNanos(Math.min(left, RECHECK_NANOS));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = end(Outcome.GONE);
      } finally {
        lock.unlock();
      }
      return true;
    }
  }

  /** WRITTEN, GONE or IDLE_TIMEOUT when that is decided now; null while the transport is full. */
  private Outcome readyNow() {
    Outcome over = endedNow();
    if (over != null) {
      return over;
    }
    return transport.ready() ? Outcome.WRITTEN : null;
  }

  /** GONE or IDLE_TIMEOUT once decided; null while the stream may go on. */
  private Outcome endedNow() {
    if (ended != null) {
      return ended;
    }
    return transport.gone() ? end(Outcome.GONE) : null;
  }

  /** Whether the stream was ended because its reader took nothing for the idle timeout. */
  public boolean idleTimedOut() {
    return ended == Outcome.IDLE_TIMEOUT;
  }

  /** Messages written so far. */
  public int written() {
    return written;
  }

  private Outcome end(Outcome outcome) {
    if (ended == null) {
      ended = outcome;
    }
    return ended;
  }
}
