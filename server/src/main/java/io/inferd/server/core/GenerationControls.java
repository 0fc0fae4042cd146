package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.ToolDefinition;
import java.util.List;

/**
 * The generation controls of a request beyond temperature, top_p, seed and max_tokens, as either
 * transport received them, before validation. Null means "not sent"; the core decides what values
 * may be and whether the chosen model's engine can honour them.
 *
 * @param rawPrompt a prompt used without the chat template (/v1/completions); null for a
 *     conversation
 * @param toolChoice "auto", "none", "required", or the name of the one function to call; null: auto
 * @param parallelToolCalls whether one reply may make several calls; null: yes, as OpenAI defaults
 */
public record GenerationControls(
    List<String> stop,
    Integer topK,
    Float minP,
    Float repetitionPenalty,
    Float presencePenalty,
    Float frequencyPenalty,
    Integer n,
    boolean logprobs,
    Integer topLogprobs,
    OutputFormat outputFormat,
    String rawPrompt,
    List<ToolDefinition> tools,
    String toolChoice,
    Boolean parallelToolCalls) {

  public static final GenerationControls NONE = builder().build();

  public GenerationControls {
    stop = List.copyOf(requireNonNull(stop, "stop"));
    tools = List.copyOf(requireNonNull(tools, "tools"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How the output is constrained; a request without one gets free text. */
  public sealed interface OutputFormat {
    /**
     * A JSON Schema as JSON text; {@code strict} is OpenAI's flag (inferd always enforces the
     * schema).
     */
    record JsonSchema(String schema, boolean strict) implements OutputFormat {}

    /** Any JSON object. */
    record JsonObject() implements OutputFormat {}

    /** A GBNF grammar, as llama.cpp's server takes it. */
    record Grammar(String gbnf) implements OutputFormat {}
  }

  /** Collects the optional controls; every field starts unset. */
  public static final class Builder {
    private List<String> stop = List.of();
    private Integer topK;
    private Float minP;
    private Float repetitionPenalty;
    private Float presencePenalty;
    private Float frequencyPenalty;
    private Integer n;
    private boolean logprobs;
    private Integer topLogprobs;
    private OutputFormat outputFormat;
    private String rawPrompt;
    private List<ToolDefinition> tools = List.of();
    private String toolChoice;
    private Boolean parallelToolCalls;

    public Builder stop(List<String> value) {
      stop = value;
      return this;
    }

    public Builder topK(Integer value) {
      topK = value;
      return this;
    }

    public Builder minP(Float value) {
      minP = value;
      return this;
    }

    public Builder repetitionPenalty(Float value) {
      repetitionPenalty = value;
      return this;
    }

    public Builder presencePenalty(Float value) {
      presencePenalty = value;
      return this;
    }

    public Builder frequencyPenalty(Float value) {
      frequencyPenalty = value;
      return this;
    }

    public Builder n(Integer value) {
      n = value;
      return this;
    }

    public Builder logprobs(boolean value) {
      logprobs = value;
      return this;
    }

    public Builder topLogprobs(Integer value) {
      topLogprobs = value;
      return this;
    }

    public Builder outputFormat(OutputFormat value) {
      outputFormat = value;
      return this;
    }

    public Builder rawPrompt(String value) {
      rawPrompt = value;
      return this;
    }

    public Builder tools(List<ToolDefinition> value) {
      tools = value;
      return this;
    }

    public Builder toolChoice(String value) {
      toolChoice = value;
      return this;
    }

    public Builder parallelToolCalls(Boolean value) {
      parallelToolCalls = value;
      return this;
    }

    public GenerationControls build() {
      return new GenerationControls(
          stop,
          topK,
          minP,
          repetitionPenalty,
          presencePenalty,
          frequencyPenalty,
          n,
          logprobs,
          topLogprobs,
          outputFormat,
          rawPrompt,
          tools,
          toolChoice,
          parallelToolCalls);
    }
  }
}
