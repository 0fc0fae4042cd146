package io.inferd.engine;

/** A model file or resource could not be loaded: missing, unreadable, or not a valid model. */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
