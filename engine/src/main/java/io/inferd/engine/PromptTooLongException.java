package io.inferd.engine;

/**
 * The engine found the prompt longer than its context allows, after the caller's own check passed.
 */
public final class PromptTooLongException extends InferenceException {
  public PromptTooLongException(String message, Throwable cause) {
    super(Kind.INVALID_ARGUMENT, null, message, -1, cause);
  }
}
