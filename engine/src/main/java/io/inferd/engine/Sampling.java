package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * How the next token is picked, as llama.cpp's sampler chain does it: penalties, then top-k, top-p
 * and min-p, then temperature (0 = greedy). A grammar (GBNF) constrains which tokens may follow at
 * all. The same seed with the same prompt gives the same text on an idle engine; an empty seed a
 * random one.
 *
 * <p>Neutral values switch a stage off: topK 0, topP 1, minP 0, repetitionPenalty 1, presence and
 * frequency penalties 0.
 */
public record Sampling(
    float temperature,
    float topP,
    int topK,
    float minP,
    float repetitionPenalty,
    float presencePenalty,
    float frequencyPenalty,
    int penaltyLastN,
    OptionalInt seed,
    Optional<String> grammar) {

  /** Penalties look at this many most recent tokens unless told otherwise (llama.cpp's default). */
  public static final int DEFAULT_PENALTY_LAST_N = 64;

  public Sampling {
    requireNonNull(seed, "seed");
    requireNonNull(grammar, "grammar");
    check(temperature >= 0 && Float.isFinite(temperature), "temperature", temperature, ">= 0");
    check(topP > 0 && topP <= 1, "top_p", topP, "in (0, 1]");
    check(topK >= 0, "top_k", topK, ">= 0");
    check(minP >= 0 && minP <= 1, "min_p", minP, "in [0, 1]");
    check(
        repetitionPenalty > 0 && Float.isFinite(repetitionPenalty),
        "repetition_penalty",
        repetitionPenalty,
        "> 0");
    check(
        presencePenalty >= -2 && presencePenalty <= 2,
        "presence_penalty",
        presencePenalty,
        "in [-2, 2]");
    check(
        frequencyPenalty >= -2 && frequencyPenalty <= 2,
        "frequency_penalty",
        frequencyPenalty,
        "in [-2, 2]");
    check(penaltyLastN >= 0, "penalty_last_n", penaltyLastN, ">= 0");
  }

  /** Temperature, top_p and seed; every other stage neutral. */
  public Sampling(float temperature, float topP, OptionalInt seed) {
    this(temperature, topP, 0, 0f, 1f, 0f, 0f, DEFAULT_PENALTY_LAST_N, seed, Optional.empty());
  }

  public static Sampling greedy() {
    return new Sampling(0f, 1f, OptionalInt.empty());
  }

  public boolean hasPenalties() {
    return repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f;
  }

  public Sampling withTopK(int value) {
    return edit(d -> d.topK = value);
  }

  public Sampling withMinP(float value) {
    return edit(d -> d.minP = value);
  }

  public Sampling withPenalties(float repetition, float presence, float frequency) {
    return edit(
        d -> {
          d.repetitionPenalty = repetition;
          d.presencePenalty = presence;
          d.frequencyPenalty = frequency;
        });
  }

  /** A GBNF grammar (llama.cpp's format, root rule {@code root}) the output must match. */
  public Sampling withGrammar(String gbnf) {
    return edit(d -> d.grammar = Optional.of(gbnf));
  }

  private Sampling edit(Consumer<Draft> change) {
    Draft draft = new Draft(this);
    change.accept(draft);
    return draft.sampling();
  }

  /** A copy whose stages a wither changes; the record's constructor checks the result. */
  private static final class Draft {
    float temperature;
    float topP;
    int topK;
    float minP;
    float repetitionPenalty;
    float presencePenalty;
    float frequencyPenalty;
    int penaltyLastN;
    OptionalInt seed;
    Optional<String> grammar;

    Draft(Sampling s) {
      temperature = s.temperature;
      topP = s.topP;
      topK = s.topK;
      minP = s.minP;
      repetitionPenalty = s.repetitionPenalty;
      presencePenalty = s.presencePenalty;
      frequencyPenalty = s.frequencyPenalty;
      penaltyLastN = s.penaltyLastN;
      seed = s.seed;
      grammar = s.grammar;
    }

    Sampling sampling() {
      return new Sampling(
          temperature,
          topP,
          topK,
          minP,
          repetitionPenalty,
          presencePenalty,
          frequencyPenalty,
          penaltyLastN,
          seed,
          grammar);
    }
  }

  private static void check(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }
}
