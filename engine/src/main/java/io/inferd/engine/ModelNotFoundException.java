package io.inferd.engine;

import java.util.Collection;

/** A request named a model that is not loaded. The message names the models that are. */
public final class ModelNotFoundException extends RuntimeException {
  public ModelNotFoundException(String kind, String name, Collection<String> available) {
    super(
        "model '"
            + name
            + "' is not loaded (expected: one of the "
            + kind
            + " models "
            + String.join(", ", available)
            + ")");
  }
}
