package io.inferd.client;

import static java.util.Objects.requireNonNull;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import java.time.Duration;

/**
 * Deadlines sized to the work, as the source document advises: too short a deadline for an LLM call
 * times out needlessly, so it grows with the prompt (prefill) and the tokens asked for (decoding):
 *
 * <pre>
 * deadline = clamp(base + ceil(promptChars / charsPerToken) * prefillPerToken
 *                       + maxTokens * perGeneratedToken,  floor, ceiling)
 * </pre>
 *
 * <p>{@code promptChars} counts the content of every message; {@code maxTokens} 0 (the server's
 * default) counts as {@code assumedMaxTokens}. Defaults: base 2 s, 4 characters per token (English;
 * fewer for e.g. Korean), prefill 1 ms per token, 50 ms per generated token, 256 assumed tokens,
 * floor 5 s, ceiling 10 min. So {@code max_tokens=100} on a short prompt gets 7 s, and the server's
 * default length gets about 15 s. Measure the model's speed and tune with {@link #builder()}.
 */
public final class Deadlines {
  private static final Deadlines DEFAULTS = builder().build();

  private final Duration base;
  private final double charsPerToken;
  private final Duration prefillPerToken;
  private final Duration perGeneratedToken;
  private final int assumedMaxTokens;
  private final Duration floor;
  private final Duration ceiling;

  private Deadlines(Builder b) {
    this.base = b.base;
    this.charsPerToken = b.charsPerToken;
    this.prefillPerToken = b.prefillPerToken;
    this.perGeneratedToken = b.perGeneratedToken;
    this.assumedMaxTokens = b.assumedMaxTokens;
    this.floor = b.floor;
    this.ceiling = b.ceiling;
  }

  /** The documented defaults. */
  public static Deadlines defaults() {
    return DEFAULTS;
  }

  /** Starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The deadline for a Complete or StreamComplete call of {@code request}. */
  public Duration forCompletion(CompleteRequest request) {
    requireNonNull(request, "request");
    long promptChars = 0;
    for (Message m : request.getMessagesList()) {
      promptChars += m.getContent().length();
    }
    long promptTokens = (long) Math.ceil(promptChars / charsPerToken);
    int maxTokens = request.getMaxTokens() > 0 ? request.getMaxTokens() : assumedMaxTokens;
    Duration estimate =
        base.plus(prefillPerToken.multipliedBy(promptTokens))
            .plus(perGeneratedToken.multipliedBy(maxTokens));
    if (estimate.compareTo(floor) < 0) {
      return floor;
    }
    return estimate.compareTo(ceiling) > 0 ? ceiling : estimate;
  }

  @Override
  public String toString() {
    return "Deadlines[base=%s, charsPerToken=%s, prefillPerToken=%s, perGeneratedToken=%s,"
            .formatted(base, charsPerToken, prefillPerToken, perGeneratedToken)
        + " assumedMaxTokens=%d, floor=%s, ceiling=%s]".formatted(assumedMaxTokens, floor, ceiling);
  }

  /** Tunes the constants of the formula; unset ones keep their defaults. */
  public static final class Builder {
    private Duration base = Duration.ofSeconds(2);
    private double charsPerToken = 4;
    private Duration prefillPerToken = Duration.ofMillis(1);
    private Duration perGeneratedToken = Duration.ofMillis(50);
    private int assumedMaxTokens = 256;
    private Duration floor = Duration.ofSeconds(5);
    private Duration ceiling = Duration.ofMinutes(10);

    private Builder() {}

    /** Fixed cost of any call: connection, queueing, model warm-up; >= 0. */
    public Builder base(Duration base) {
      this.base = notNegative(base, "base");
      return this;
    }

    /** Prompt characters per token, to estimate prompt tokens without a tokenizer; > 0. */
    public Builder charsPerToken(double charsPerToken) {
      if (!(charsPerToken > 0) || Double.isInfinite(charsPerToken)) {
        throw new IllegalArgumentException(
            "charsPerToken: " + charsPerToken + " (expected: a number > 0)");
      }
      this.charsPerToken = charsPerToken;
      return this;
    }

    /** Time to read one prompt token (prefill); >= 0. */
    public Builder prefillPerToken(Duration prefillPerToken) {
      this.prefillPerToken = notNegative(prefillPerToken, "prefillPerToken");
      return this;
    }

    /** Time to generate one token (decoding); >= 0. */
    public Builder perGeneratedToken(Duration perGeneratedToken) {
      this.perGeneratedToken = notNegative(perGeneratedToken, "perGeneratedToken");
      return this;
    }

    /** Tokens counted for max_tokens 0, i.e. the server's default length; >= 0. */
    public Builder assumedMaxTokens(int assumedMaxTokens) {
      if (assumedMaxTokens < 0) {
        throw new IllegalArgumentException(
            "assumedMaxTokens: " + assumedMaxTokens + " (expected: >= 0)");
      }
      this.assumedMaxTokens = assumedMaxTokens;
      return this;
    }

    /** The shortest deadline given; > 0. */
    public Builder floor(Duration floor) {
      this.floor = InferenceClient.Builder.positive(floor, "floor");
      return this;
    }

    /** The longest deadline given; >= floor. */
    public Builder ceiling(Duration ceiling) {
      this.ceiling = InferenceClient.Builder.positive(ceiling, "ceiling");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException if the ceiling is below the floor
     */
    public Deadlines build() {
      if (ceiling.compareTo(floor) < 0) {
        throw new IllegalArgumentException(
            "ceiling: " + ceiling + " (expected: >= floor " + floor + ")");
      }
      return new Deadlines(this);
    }

    private static Duration notNegative(Duration duration, String name) {
      requireNonNull(duration, name);
      if (duration.isNegative()) {
        throw new IllegalArgumentException(name + ": " + duration + " (expected: >= 0)");
      }
      return duration;
    }
  }
}
