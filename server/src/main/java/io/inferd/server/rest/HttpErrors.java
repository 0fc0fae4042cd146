package io.inferd.server.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.server.core.Echoes;
import io.inferd.server.core.ShuttingDownException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a failure as an HTTP status and an OpenAI-style error body: the {@link
 * InferenceException.Kind} picks status and type, the exception's code (or the kind's) fills {@code
 * code}, a retry hint becomes Retry-After, and a message that starts with a field name ({@code
 * "max_tokens: -5 (expected: >= 0)"}) fills {@code param}.
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
    HttpError refusedBody = RequestBodyErrors.of(InferenceException.unwrap(error));
    if (refusedBody != null) {
      return refusedBody;
    }
    InferenceException failure = InferenceException.classify(error);
    if (failure.kind() == Kind.CANCELLED) {
      // Only the gateway cancels work, when it stops; a client that left gets no answer at all.
      failure = new ShuttingDownException();
    }
    if (failure.kind() == Kind.INTERNAL) {
      log.error("internal error", InferenceException.unwrap(error));
    } else if (failure.kind() == Kind.UPSTREAM_FAILED) {
      log.error("upstream failed: {}", failure.getMessage());
    }
    String message = failure.getMessage();
    long retryAfter = failure.retryAfterMillis() >= 0 ? seconds(failure.retryAfterMillis()) : -1;
    return switch (failure.kind()) {
      case INVALID_ARGUMENT ->
          new HttpError(400, "invalid_request_error", failure.code(), field(message), message, -1);
      case UNAUTHENTICATED ->
          new HttpError(
              401, "authentication_error", code(failure, "invalid_api_key"), null, message, -1);
      case NOT_FOUND ->
          new HttpError(
              404, "not_found_error", code(failure, "model_not_found"), "model", message, -1);
      case LIMIT_EXCEEDED ->
          new HttpError(
              413,
              "invalid_request_error",
              code(failure, "limit_exceeded"),
              field(message),
              message,
              -1);
      case RESOURCE_EXHAUSTED ->
          new HttpError(
              429, "rate_limit_error", code(failure, "server_busy"), null, message, retryAfter);
      case UNAVAILABLE ->
          new HttpError(
              503, "server_error", code(failure, "unavailable"), null, message, retryAfter);
      case DEADLINE_EXCEEDED ->
          new HttpError(504, "server_error", code(failure, "timeout"), null, message, -1);
      case UPSTREAM_REFUSED ->
          new HttpError(502, "server_error", code(failure, "upstream_auth"), null, message, -1);
      case UPSTREAM_FAILED ->
          new HttpError(502, "server_error", code(failure, "upstream_error"), null, message, -1);
      case UNIMPLEMENTED ->
          new HttpError(
              501, "invalid_request_error", code(failure, "unsupported"), null, message, -1);
      case CANCELLED, INTERNAL -> new HttpError(500, "server_error", null, null, message, -1);
    };
  }

  private static String code(InferenceException failure, String fallback) {
    return failure.code() != null ? failure.code() : fallback;
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
}
