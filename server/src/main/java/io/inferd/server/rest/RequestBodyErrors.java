package io.inferd.server.rest;

import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.rest.HttpErrors.HttpError;
import java.io.IOException;

/**
 * A request body Helidon could not read (malformed chunked encoding, more than the payload limit)
 * is the client's error: 400 or 413 with an OpenAI-style body, not a 500 with a stack trace.
 */
final class RequestBodyErrors {
  private RequestBodyErrors() {}

  /**
   * The whole request body (which ends the request's read timeout). Helidon's chunked decoder fails
   * on a bad chunk size with a bare NumberFormatException; any such failure while reading is a
   * malformed request.
   */
  static byte[] read(ServerRequest req) throws IOException {
    try {
      byte[] body = req.content().inputStream().readAllBytes();
      RequestReadWatch.bodyRead();
      return body;
    } catch (RequestException e) {
      throw e; // too large: 413 below
    } catch (RuntimeException e) {
      throw new InvalidRequestException(
          "request body: malformed (expected: valid chunked transfer encoding or a Content-Length)");
    }
  }

  /**
   * POST bodies declared as anything but JSON are refused. Without auth, a web page could otherwise
   * POST cross-origin as a "simple request" (text/plain, forms) that browsers send without asking
   * first. A request with no Content-Type at all is still accepted (clients that omit it exist).
   */
  static void requireJson(ServerRequest req) {
    if (req.prologue().method() != io.helidon.http.Method.POST) {
      return;
    }
    String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse(null);
    if (type != null && !type.equalsIgnoreCase("application/json")) {
      throw new NotJsonException(type);
    }
  }

  /** A POST whose Content-Type is not application/json. */
  static final class NotJsonException extends RuntimeException {
    NotJsonException(String type) {
      super("Content-Type: " + type + " (expected: application/json)");
    }
  }

  /** The answer for {@code e}, or null if it is not a request Helidon refused. */
  static HttpError of(Throwable e) {
    if (e instanceof NotJsonException notJson) {
      return new HttpError(
          415, "invalid_request_error", "unsupported_media_type", null, notJson.getMessage(), -1);
    }
    if (!(e instanceof RequestException refused)) {
      return null;
    }
    int status = refused.status().code();
    if (status == 413) {
      return new HttpError(
          413,
          "invalid_request_error",
          "request_too_large",
          null,
          "request body: larger than this server accepts",
          -1);
    }
    return status / 100 == 4
        ? new HttpError(
            status,
            "invalid_request_error",
            null,
            null,
            "request: refused (" + refused.status().reasonPhrase() + ")",
            -1)
        : null;
  }
}
