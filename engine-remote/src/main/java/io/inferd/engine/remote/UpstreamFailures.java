package io.inferd.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How the HTTP upstreams' failures become gRPC statuses (which the server maps on to clients). */
final class UpstreamFailures {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE_CHARS = 500;

  private UpstreamFailures() {}

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
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

  /** The upstream's answer as the status this server's caller gets. */
  static StatusRuntimeException status(URI url, int httpStatus, byte[] body) {
    Status status =
        switch (httpStatus) {
          case 400, 422 -> Status.INVALID_ARGUMENT;
          case 401 -> Status.UNAUTHENTICATED;
          case 403 -> Status.PERMISSION_DENIED;
          case 404 -> Status.NOT_FOUND;
          case 408, 504 -> Status.DEADLINE_EXCEEDED;
          case 413, 429 -> Status.RESOURCE_EXHAUSTED;
          case 501 -> Status.UNIMPLEMENTED;
          default -> httpStatus >= 500 ? Status.UNAVAILABLE : Status.INTERNAL;
        };
    String hint = httpStatus == 401 || httpStatus == 403 ? " (check --upstream-api-key)" : "";
    return status
        .withDescription(
            "upstream " + url + " answered " + httpStatus + hint + ": " + message(body))
        .asRuntimeException();
  }

  /** An {@code {"error": {...}}} event inside a stream. */
  static StatusRuntimeException streamError(URI url, JsonNode error) {
    String type = error.path("type").asText("");
    String code = error.path("code").asText("");
    Status status =
        switch (type) {
          case "invalid_request_error" -> Status.INVALID_ARGUMENT;
          case "rate_limit_error" -> Status.RESOURCE_EXHAUSTED;
          case "authentication_error" -> Status.UNAUTHENTICATED;
          case "not_found_error" -> Status.NOT_FOUND;
          default -> "shutting_down".equals(code) ? Status.UNAVAILABLE : Status.INTERNAL;
        };
    return status
        .withDescription(
            "upstream "
                + url
                + " failed mid-stream: "
                + truncate(error.path("message").asText(type)))
        .asRuntimeException();
  }

  static StatusRuntimeException unreachable(URI url, Throwable error) {
    return Status.UNAVAILABLE
        .withDescription("upstream " + url + " unreachable: " + describe(error))
        .withCause(unwrap(error))
        .asRuntimeException();
  }

  static StatusRuntimeException deadline(URI url) {
    return Status.DEADLINE_EXCEEDED
        .withDescription("deadline exceeded waiting for upstream " + url)
        .asRuntimeException();
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
