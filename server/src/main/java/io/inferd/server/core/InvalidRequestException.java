package io.inferd.server.core;

import io.inferd.engine.InferenceException;

/**
 * A request that can never succeed as sent. The message names the field, what it was and what was
 * expected, e.g. {@code max_tokens: -5 (expected: >= 0)}.
 */
public final class InvalidRequestException extends InferenceException {
  public InvalidRequestException(String message) {
    super(Kind.INVALID_ARGUMENT, message);
  }

  static InvalidRequestException field(String field, Object value, String expected) {
    return new InvalidRequestException(field + ": " + value + " (expected: " + expected + ")");
  }
}
