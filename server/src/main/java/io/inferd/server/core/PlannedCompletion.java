package io.inferd.server.core;

import io.inferd.engine.GenerationRequest;
import io.inferd.engine.TextGenerator;

/** A validated completion: the model it runs on (and its name) and what the engine will do. */
public record PlannedCompletion(String model, TextGenerator generator, GenerationRequest request) {}
