package io.inferd.server.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.inferd.engine.InferenceException;
import io.inferd.server.core.Echoes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a failure as a gRPC status: the {@link InferenceException.Kind} picks the code, the
 * message becomes the description, a retry hint the {@code grpc-retry-pushback-ms} trailer. Clients
 * never see a bare UNKNOWN.
 */
final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  /** grpc-java's built-in retry (and other gRPC clients) wait this long before the next attempt. */
  static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** A pushback that stops a client's retries of this call. */
  static final String NO_RETRY = "-1";

  private StatusMapper() {}

  static Status toStatus(Throwable error) {
    Throwable e = InferenceException.unwrap(error);
    if (e instanceof StatusRuntimeException sre) { // already a status (an interceptor's)
      return sre.getStatus();
    }
    if (e instanceof StatusException se) {
      return se.getStatus();
    }
    InferenceException failure = InferenceException.classify(e);
    if (failure.kind() == InferenceException.Kind.INTERNAL) {
      log.error("internal error", e);
      return Status.INTERNAL.withDescription(failure.getMessage()).withCause(e);
    }
    // the description may echo client input (a model name): bounded
    return code(failure.kind()).withDescription(Echoes.bounded(failure.getMessage()));
  }

  /** The one table from failure kinds to gRPC codes. */
  static Status code(InferenceException.Kind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case NOT_FOUND -> Status.NOT_FOUND;
      case LIMIT_EXCEEDED, RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.CANCELLED;
      case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
      // not the caller's credentials or request: this server's upstream is misconfigured or broken
      case UPSTREAM_REFUSED, UPSTREAM_FAILED, INTERNAL -> Status.INTERNAL;
    };
  }

  /**
   * The status with its trailers: a retry hint tells well-behaved clients when to retry, and a
   * request over one of this server's limits carries a negative pushback ({@code -1}), which tells
   * them not to (gRFC A6): its RESOURCE_EXHAUSTED is the same as a full queue's, which clients
   * retry, but the same request would fail the same way every time.
   */
  static StatusRuntimeException toException(Throwable error) {
    Status status = toStatus(error);
    InferenceException failure =
        InferenceException.unwrap(error) instanceof InferenceException classified
            ? classified
            : null;
    long retryAfter = failure == null ? -1 : failure.retryAfterMillis();
    if (retryAfter >= 0) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK, Long.toString(retryAfter));
      return status.asRuntimeException(trailers);
    }
    if (failure != null && failure.kind() == InferenceException.Kind.LIMIT_EXCEEDED) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK, NO_RETRY);
      return status.asRuntimeException(trailers);
    }
    return status.asRuntimeException();
  }
}
