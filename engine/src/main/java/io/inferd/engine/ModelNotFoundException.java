package io.inferd.engine;

import java.util.Collection;

/** A request named a model that is not loaded. The message names the models that are. */
public final class ModelNotFoundException extends InferenceException {
  public ModelNotFoundException(String kind, String name, Collection<String> available) {
    super(
        Kind.NOT_FOUND,
        "model_not_found",
        "model '"
            + name
            + "' is not loaded (expected: one of the "
            + kind
            + " models "
            + String.join(", ", available)
            + ")",
        -1,
        null);
  }
}
