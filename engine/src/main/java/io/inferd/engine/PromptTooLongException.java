package io.inferd.engine;

/** The engine found the prompt longer than its context allows, after the caller's own check passed. */
public final class PromptTooLongException extends RuntimeException {
  public PromptTooLongException(String message, Throwable cause) {
    super(message, cause);
  }
}
