package io.inferd.engine;

import java.util.Set;

/**
 * Opens the models of one kind of location, chosen by the URI scheme of a {@link ModelSpec} ({@code
 * grpc}, {@code openai+http}; the empty scheme is a local file). {@link Engines} finds providers
 * with {@link java.util.ServiceLoader}: adding an engine type is one class implementing this and
 * one line in {@code META-INF/services/io.inferd.engine.EngineProvider}.
 */
public interface EngineProvider {
  /** The schemes this provider opens. */
  Set<String> schemes();

  /**
   * Fails at once, with a message that starts with {@code option} and the spec, on a location this
   * provider could never open (a malformed URL), so a typo is reported before any model loads.
   */
  default void check(String option, ModelSpec spec) {}

  TextGenerator generator(ModelSpec spec, EngineSettings settings);

  /** Whether {@link #embedder} can open models of this kind. */
  default boolean servesEmbeddings() {
    return false;
  }

  default Embedder embedder(ModelSpec spec, EngineSettings settings) {
    throw new UnsupportedOperationException(spec.scheme() + " engines serve no embeddings");
  }
}
