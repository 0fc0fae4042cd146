package io.inferd.server.core;

import io.inferd.engine.InferenceException;

/**
 * A request over one of this server's configured limits (not the model's): the message names the
 * limit, its value and the option that sets it. gRPC answers RESOURCE_EXHAUSTED, REST 413.
 */
public final class LimitExceededException extends InferenceException {
  public LimitExceededException(String what, long value, long limit, String option) {
    super(
        Kind.LIMIT_EXCEEDED,
        "limit_exceeded",
        what + ": " + value + " exceeds this server's limit of " + limit + " (" + option + ")",
        -1,
        null);
  }
}
