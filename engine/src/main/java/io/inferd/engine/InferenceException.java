package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A request that failed for a reason every transport can tell its client: the {@link Kind} (which
 * the gRPC and HTTP mappers render as a status), a message that says what and what was expected, a
 * short machine-readable code for REST bodies, and a retry hint. Engines, the core and the
 * transports throw subclasses of it; no transport type (gRPC Status, HTTP code) crosses the engine
 * SPI.
 */
public class InferenceException extends RuntimeException {
  /** Why it failed. Each transport maps a kind to exactly one status. */
  public enum Kind {
    /** The request can never succeed as sent. */
    INVALID_ARGUMENT,
    /** The caller sent no valid credentials. */
    UNAUTHENTICATED,
    /** The named model (or other resource) does not exist here. */
    NOT_FOUND,
    /** The request is over one of this server's configured limits. */
    LIMIT_EXCEEDED,
    /** Too much at once: every slot busy, or the caller over its rate; retry after the hint. */
    RESOURCE_EXHAUSTED,
    /** This server or a remote engine cannot take work now; another replica or later may. */
    UNAVAILABLE,
    /** The deadline passed before an answer. */
    DEADLINE_EXCEEDED,
    /** The work was cancelled (the client left, or the server stopped it). */
    CANCELLED,
    /** A remote engine refused this server's own credentials ({@code --upstream-api-key}). */
    UPSTREAM_REFUSED,
    /** A remote engine failed in a way this server cannot classify further. */
    UPSTREAM_FAILED,
    /** The operation is not offered by this model or engine. */
    UNIMPLEMENTED,
    /** A bug or an unexpected state here; logged with its stack trace. */
    INTERNAL
  }

  private final Kind kind;
  private final String code;
  private final long retryAfterMillis;

  public InferenceException(Kind kind, String message) {
    this(kind, null, message, -1, null);
  }

  /**
   * @param code a short snake_case reason for REST clients (null: the kind's own)
   * @param retryAfterMillis when a retry may succeed; negative when there is no hint
   */
  public InferenceException(
      Kind kind, String code, String message, long retryAfterMillis, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
    this.code = code;
    this.retryAfterMillis = retryAfterMillis;
  }

  public Kind kind() {
    return kind;
  }

  /** A short reason such as {@code server_busy}, or null for the kind's default. */
  public String code() {
    return code;
  }

  /** Milliseconds after which a retry may succeed, or -1 without a hint. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** Whether the same request may succeed later or elsewhere. */
  public boolean retryable() {
    return switch (kind) {
      case RESOURCE_EXHAUSTED, UNAVAILABLE -> true;
      default -> false;
    };
  }

  /** The failure inside a future's or executor's wrapper. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * Any failure as an InferenceException: classified ones as they are, cancellation and interrupts
   * as {@link Kind#CANCELLED}, everything else as {@link Kind#INTERNAL} with the original as cause.
   */
  public static InferenceException classify(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof InferenceException classified) {
      return classified;
    }
    if (e instanceof CancellationException || e instanceof InterruptedException) {
      return new InferenceException(Kind.CANCELLED, null, "cancelled", -1, e);
    }
    return new InferenceException(
        Kind.INTERNAL, null, "internal error: " + e.getClass().getSimpleName(), -1, e);
  }
}
