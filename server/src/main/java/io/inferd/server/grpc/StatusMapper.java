package io.inferd.server.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.inferd.engine.ModelNotFoundException;
import io.inferd.engine.PromptTooLongException;
import io.inferd.engine.QueueFullException;
import io.inferd.server.core.Echoes;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.LimitExceededException;
import io.inferd.server.core.RateLimiter.RateLimitedException;
import io.inferd.server.core.ShuttingDownException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where exceptions become gRPC statuses; clients never see a bare UNKNOWN. */
final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  /** grpc-java's built-in retry (and other gRPC clients) wait this long before the next attempt. */
  static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private StatusMapper() {}

  static Status toStatus(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (e instanceof StatusException se) {
      return se.getStatus();
    }
    if (e instanceof InvalidRequestException || e instanceof PromptTooLongException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof ModelNotFoundException) {
      return Status.NOT_FOUND.withDescription(e.getMessage());
    }
    if (e instanceof QueueFullException
        || e instanceof LimitExceededException
        || e instanceof RateLimitedException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    }
    if (e instanceof ShuttingDownException) {
      return Status.UNAVAILABLE.withDescription(e.getMessage());
    }
    if (e instanceof CancellationException) {
      return Status.CANCELLED.withDescription("cancelled");
    }
    log.error("internal error", e);
    return Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()).withCause(e);
  }

  /** The status with its trailers: a full queue tells well-behaved clients when to retry. */
  static StatusRuntimeException toException(Throwable error) {
    Status status = toStatus(error);
    status = status.withDescription(Echoes.bounded(status.getDescription())); // echoed input
    long retryAfter =
        switch (unwrap(error)) {
          case QueueFullException full -> full.retryAfterMillis();
          case RateLimitedException limited -> limited.retryAfterMillis();
          default -> -1;
        };
    if (retryAfter >= 0) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK, Long.toString(retryAfter));
      return status.asRuntimeException(trailers);
    }
    return status.asRuntimeException();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
