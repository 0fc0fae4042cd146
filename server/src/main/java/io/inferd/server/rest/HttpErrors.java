package io.inferd.server.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one table from exceptions to HTTP statuses and OpenAI-style error bodies, the REST twin of
 * the gRPC StatusMapper.
 *
 * <pre>
 *   InvalidRequestException  400 invalid_request_error  param: the field the message starts with
 *   UnauthenticatedException 401 authentication_error   code invalid_api_key
 *   ModelNotFoundException   404 not_found_error        code model_not_found, param model
 *   LimitExceededException   413 invalid_request_error  code limit_exceeded: a server limit
 *   QueueFullException       429 rate_limit_error       code server_busy, Retry-After header
 *   RateLimitedException     429 rate_limit_error       code rate_limit_exceeded, Retry-After header
 *   ShuttingDownException    503 server_error           code shutting_down (also cancelled work)
 *   anything else            500 server_error           logged once with its stack trace
 * </pre>
 */
final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
  // Core messages start with the field they are about: "max_tokens: -5 (expected: >= 0)".
  private static final Pattern FIELD =
      Pattern.compile(
          "^([a-z_][a-z0-9_]*(?:\\[\\d+\\])*(?:\\.[a-z_][a-z0-9_]*(?:\\[\\d+\\])*)*): ");

  private HttpErrors() {}

  /** One error answer; {@code retryAfterSeconds} is negative when there is no Retry-After. */
  record HttpError(
      int status, String type, String code, String param, String message, long retryAfterSeconds) {
    HttpError {
      message = Echoes.bounded(message); // it may quote what the client sent
      param = Echoes.bounded(param);
    }

    ObjectNode body() {
      ObjectNode error = Json.MAPPER.createObjectNode();
      error.put("message", message).put("type", type).put("param", param).put("code", code);
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.set("error", error);
      return body;
    }

    String statusText() {
      return Integer.toString(status);
    }
  }

  static HttpError of(Throwable error) {
    Throwable e = unwrap(error);
    HttpError refusedBody = RequestBodyErrors.of(e);
    if (refusedBody != null) {
      return refusedBody;
    }
    if (e instanceof InvalidRequestException || e instanceof PromptTooLongException) {
      return new HttpError(
          400, "invalid_request_error", null, field(e.getMessage()), e.getMessage(), -1);
    }
    if (e instanceof UnauthenticatedException) {
      return new HttpError(
          401, "authentication_error", "invalid_api_key", null, e.getMessage(), -1);
    }
    if (e instanceof ModelNotFoundException) {
      return new HttpError(404, "not_found_error", "model_not_found", "model", e.getMessage(), -1);
    }
    if (e instanceof LimitExceededException) {
      return new HttpError(
          413,
          "invalid_request_error",
          "limit_exceeded",
          field(e.getMessage()),
          e.getMessage(),
          -1);
    }
    if (e instanceof QueueFullException full) {
      return new HttpError(
          429,
          "rate_limit_error",
          "server_busy",
          null,
          e.getMessage(),
          seconds(full.retryAfterMillis()));
    }
    if (e instanceof RateLimitedException limited) {
      return new HttpError(
          429,
          "rate_limit_error",
          "rate_limit_exceeded",
          null,
          e.getMessage(),
          seconds(limited.retryAfterMillis()));
    }
    if (e instanceof ShuttingDownException) {
      return new HttpError(503, "server_error", "shutting_down", null, e.getMessage(), -1);
    }
    if (e instanceof StatusRuntimeException upstream) {
      return fromGrpcStatus(upstream.getStatus());
    }
    if (e instanceof CancellationException || e instanceof InterruptedException) {
      // Only the gateway cancels work, when it stops; a client that left gets no answer at all.
      return of(new ShuttingDownException());
    }
    log.error("internal error", e);
    return new HttpError(
        500, "server_error", null, null, "internal error: " + e.getClass().getSimpleName(), -1);
  }

  /**
   * A status from a remote engine (another ai.inference.v1 server, or an OpenAI upstream mapped to
   * gRPC codes): the same table the gRPC side would have produced.
   */
  private static HttpError fromGrpcStatus(Status status) {
    String message =
        status.getDescription() == null ? "upstream: " + status.getCode() : status.getDescription();
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
          new HttpError(400, "invalid_request_error", null, field(message), message, -1);
      case UNAUTHENTICATED, PERMISSION_DENIED ->
          new HttpError(502, "server_error", "upstream_auth", null, "upstream refused: " + message, -1);
      case NOT_FOUND -> new HttpError(404, "not_found_error", "model_not_found", "model", message, -1);
      case RESOURCE_EXHAUSTED -> new HttpError(429, "rate_limit_error", "upstream_busy", null, message, 1);
      case UNAVAILABLE -> new HttpError(503, "server_error", "upstream_unavailable", null, message, -1);
      case DEADLINE_EXCEEDED -> new HttpError(504, "server_error", "upstream_timeout", null, message, -1);
      default -> {
        log.error("upstream failed: {}", status);
        yield new HttpError(502, "server_error", "upstream_error", null, "upstream error: " + status.getCode(), -1);
      }
    };
  }

  static HttpError notFound(String path) {
    return new HttpError(
        404, "not_found_error", "unknown_url", null, "no such endpoint: " + path, -1);
  }

  static HttpError methodNotAllowed(String method, String path, String allowed) {
    return new HttpError(
        405,
        "invalid_request_error",
        "method_not_allowed",
        null,
        method + " " + path + ": method not allowed (expected: " + allowed + ")",
        -1);
  }

  /** Answers with {@code error} unless the response has already started; returns the status. */
  static String send(ServerResponse res, HttpError error) {
    if (!res.isSent()) {
      res.status(error.status());
      if (error.retryAfterSeconds() >= 0) {
        res.header(HeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
      }
      if (error.status() == 401) {
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"inferd\"");
      }
      Json.send(res, error.body());
    }
    return error.statusText();
  }

  /** Retry-After is in whole seconds: rounded up, so a client never retries too early. */
  private static long seconds(long millis) {
    return Math.max(0, (millis + 999) / 1000);
  }

  private static String field(String message) {
    Matcher m = FIELD.matcher(message == null ? "" : message);
    return m.find() ? m.group(1) : null;
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
