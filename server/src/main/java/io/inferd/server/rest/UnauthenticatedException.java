package io.inferd.server.rest;

import io.inferd.engine.InferenceException;

/** No API key, or one the server does not accept; the message says what to send. */
final class UnauthenticatedException extends InferenceException {
  UnauthenticatedException(String message) {
    super(Kind.UNAUTHENTICATED, "invalid_api_key", message, -1, null);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected answer, not a failure: no stack trace
  }
}
