package io.inferd.server.core;

import io.inferd.engine.GenerationRequest;
import io.inferd.engine.TextGenerator;

/**
 * A validated completion: the model it runs on (and its name), what the engine will do, and, when the
 * caller's deadline was short, what {@link FastMode} changed (empty otherwise).
 */
public record PlannedCompletion(
    String model, TextGenerator generator, GenerationRequest request, String fastMode) {

  public boolean isFastMode() {
    return !fastMode.isEmpty();
  }
}
