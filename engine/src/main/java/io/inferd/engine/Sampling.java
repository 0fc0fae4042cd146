package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * How the next token is picked. Temperature 0 is greedy; top_p 1 keeps the whole distribution; the same
 * seed with the same prompt gives the same text, an empty seed a random one.
 */
public record Sampling(float temperature, float topP, OptionalInt seed) {
  public Sampling {
    requireNonNull(seed, "seed");
  }

  public static Sampling greedy() {
    return new Sampling(0f, 1f, OptionalInt.empty());
  }
}
