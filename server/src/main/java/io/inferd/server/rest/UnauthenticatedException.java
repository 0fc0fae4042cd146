package io.inferd.server.rest;

/** No API key, or one the server does not accept; the message says what to send. */
final class UnauthenticatedException extends RuntimeException {
  UnauthenticatedException(String message) {
    super(message, null, false, false); // an expected answer, not a failure: no stack trace
  }
}
