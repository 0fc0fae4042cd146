package io.inferd.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * How remote engines' failures become {@link InferenceException}s, classified once here: an HTTP
 * status or error event of an OpenAI upstream, a gRPC status of an ai.inference.v1 upstream, or a
 * connection that failed. The server's mappers render them like any engine failure.
 */
final class UpstreamFailures {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE_CHARS = 500;

  private UpstreamFailures() {}

  /** A busy upstream gives no hint of its own that reaches here; a second is a polite wait. */
  private static final long BUSY_RETRY_MILLIS = 1000;

  private static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  static Throwable unwrap(Throwable error) {
    return InferenceException.unwrap(error);
  }

  static InferenceException failure(Kind kind, String code, String message) {
    return new InferenceException(kind, code, message, -1, null);
  }

  /** A short reason for logs and messages, e.g. {@code ConnectException: Connection refused}. */
  static String describe(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof ConnectException) { // the JDK client's refused or unreachable connection
      return "cannot connect" + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
    String message = e.getMessage();
    if (message == null && e.getCause() != null) {
      message = e.getCause().toString();
    }
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Nothing came back from the server (refused, reset, unreachable); the request timeout aside. */
  static boolean isTransportFailure(Throwable error) {
    Throwable e = unwrap(error);
    return e instanceof IOException && !(e instanceof HttpTimeoutException);
  }

  static boolean isTimeout(Throwable error) {
    return unwrap(error) instanceof HttpTimeoutException;
  }

  /**
   * Whether another endpoint may take a request that got this status (the first one did no work).
   */
  static boolean worthAnotherEndpoint(int httpStatus) {
    return httpStatus == 429 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
  }

  /** Whether this status says the endpoint itself is unwell (so the pool ejects it). */
  static boolean ejects(int httpStatus) {
    return httpStatus >= 500;
  }

  /** An OpenAI upstream's HTTP error answer. */
  static InferenceException status(URI url, int httpStatus, byte[] body) {
    String hint = httpStatus == 401 || httpStatus == 403 ? " (check --upstream-api-key)" : "";
    String message = "upstream " + url + " answered " + httpStatus + hint + ": " + message(body);
    return switch (httpStatus) {
      case 400, 422 -> failure(Kind.INVALID_ARGUMENT, null, message);
      case 401, 403 -> failure(Kind.UPSTREAM_REFUSED, "upstream_auth", message);
      case 404 -> failure(Kind.NOT_FOUND, "model_not_found", message);
      case 408, 504 -> failure(Kind.DEADLINE_EXCEEDED, "upstream_timeout", message);
      case 413, 429 -> busy(message);
      case 501 -> failure(Kind.UNIMPLEMENTED, null, message);
      default ->
          httpStatus >= 500
              ? failure(Kind.UNAVAILABLE, "upstream_unavailable", message)
              : failure(Kind.UPSTREAM_FAILED, "upstream_error", message);
    };
  }

  /** An {@code {"error": {...}}} event inside an OpenAI stream. */
  static InferenceException streamError(URI url, JsonNode error) {
    String type = error.path("type").asText("");
    String code = error.path("code").asText("");
    String message =
        "upstream " + url + " failed mid-stream: " + truncate(error.path("message").asText(type));
    return switch (type) {
      case "invalid_request_error" -> failure(Kind.INVALID_ARGUMENT, null, message);
      case "rate_limit_error" -> busy(message);
      case "authentication_error" -> failure(Kind.UPSTREAM_REFUSED, "upstream_auth", message);
      case "not_found_error" -> failure(Kind.NOT_FOUND, "model_not_found", message);
      default ->
          "shutting_down".equals(code)
              ? failure(Kind.UNAVAILABLE, "upstream_unavailable", message)
              : failure(Kind.UPSTREAM_FAILED, "upstream_error", message);
    };
  }

  /** A status from an ai.inference.v1 upstream, with its description and retry pushback. */
  static InferenceException fromGrpc(String target, StatusRuntimeException e) {
    Status status = e.getStatus();
    String message =
        status.getDescription() == null
            ? "upstream grpc://" + target + ": " + status.getCode()
            : status.getDescription();
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
          failure(Kind.INVALID_ARGUMENT, null, message);
      case UNAUTHENTICATED, PERMISSION_DENIED ->
          failure(Kind.UPSTREAM_REFUSED, "upstream_auth", message + " (check --upstream-api-key)");
      case NOT_FOUND -> failure(Kind.NOT_FOUND, "model_not_found", message);
      case RESOURCE_EXHAUSTED -> {
        Metadata trailers = Status.trailersFromThrowable(e);
        String pushback = trailers == null ? null : trailers.get(RETRY_PUSHBACK);
        long retry = pushback == null ? BUSY_RETRY_MILLIS : Long.parseLong(pushback);
        yield new InferenceException(Kind.RESOURCE_EXHAUSTED, "upstream_busy", message, retry, e);
      }
      case UNAVAILABLE -> failure(Kind.UNAVAILABLE, "upstream_unavailable", message);
      case DEADLINE_EXCEEDED -> failure(Kind.DEADLINE_EXCEEDED, "upstream_timeout", message);
      case CANCELLED -> failure(Kind.CANCELLED, null, message);
      case UNIMPLEMENTED -> failure(Kind.UNIMPLEMENTED, null, message);
      default ->
          new InferenceException(
              Kind.UPSTREAM_FAILED, "upstream_error", "upstream error: " + message, -1, e);
    };
  }

  private static InferenceException busy(String message) {
    return new InferenceException(
        Kind.RESOURCE_EXHAUSTED, "upstream_busy", message, BUSY_RETRY_MILLIS, null);
  }

  static InferenceException unreachable(URI url, Throwable error) {
    return new InferenceException(
        Kind.UNAVAILABLE,
        "upstream_unavailable",
        "upstream " + url + " unreachable: " + describe(error),
        -1,
        unwrap(error));
  }

  static InferenceException deadline(URI url) {
    return failure(
        Kind.DEADLINE_EXCEEDED,
        "upstream_timeout",
        "deadline exceeded waiting for upstream " + url);
  }

  /** The OpenAI-style {@code error.message}, or the start of the body as text. */
  static String message(byte[] body) {
    if (body == null || body.length == 0) {
      return "(empty body)";
    }
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode message = node.path("error").path("message");
      if (message.isTextual()) {
        return truncate(message.textValue());
      }
      if (node.path("error").isTextual()) { // some servers send {"error": "..."}
        return truncate(node.path("error").textValue());
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: fall through to the raw text
    }
    return truncate(new String(body, StandardCharsets.UTF_8).strip());
  }

  private static String truncate(String text) {
    return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
  }
}
