package io.inferd.server.core;

import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelRegistry.NamedModel;
import io.inferd.engine.Sampling;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TextGenerator.Feature;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.grammar.ToolCallGrammar;
import io.inferd.server.core.GenerationControls.OutputFormat;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Validates generation controls and turns them into the engine's {@link Sampling}. A control that
 * would change the output on an engine that cannot honour it is refused, naming the control and the
 * model: no parameter is silently ignored. Neutral values (top_k 0, penalties off) are accepted on
 * every engine, since they change nothing.
 */
final class Controls {
  /** OpenAI's limit on stop sequences. */
  static final int MAX_STOP = 4;

  static final int MAX_STOP_CHARS = 256;

  /** Choices one request may ask for. */
  static final int MAX_N = 16;

  private Controls() {}

  /** What needs no model: stop sequences, n, logprobs shapes. */
  static void checkShape(GenerationControls c) {
    if (c.stop().size() > MAX_STOP) {
      throw InvalidRequestException.field(
          "stop", c.stop().size() + " sequences", "at most " + MAX_STOP);
    }
    for (int i = 0; i < c.stop().size(); i++) {
      String stop = c.stop().get(i);
      if (stop.isEmpty()) {
        throw InvalidRequestException.field("stop[" + i + "]", "''", "a non-empty string");
      }
      if (stop.length() > MAX_STOP_CHARS) {
        throw InvalidRequestException.field(
            "stop[" + i + "]", stop.length() + " characters", "at most " + MAX_STOP_CHARS);
      }
    }
    if (c.n() != null && (c.n() < 1 || c.n() > MAX_N)) {
      throw InvalidRequestException.field("n", c.n(), "1 to " + MAX_N);
    }
    if (c.topLogprobs() != null) {
      if (c.topLogprobs() < 0 || c.topLogprobs() > GenerationRequest.MAX_TOP_LOGPROBS) {
        throw InvalidRequestException.field(
            "top_logprobs", c.topLogprobs(), "0 to " + GenerationRequest.MAX_TOP_LOGPROBS);
      }
      if (!c.logprobs()) {
        throw InvalidRequestException.field(
            "top_logprobs", c.topLogprobs(), "logprobs set to true");
      }
    }
    String choice = c.toolChoice();
    if (choice != null && c.tools().isEmpty() && !choice.equals("none") && !choice.equals("auto")) {
      throw InvalidRequestException.field(
          "tool_choice", "'" + choice + "'", "tools to choose from");
    }
  }

  /** -1 when no log-probabilities were asked for. */
  static int topLogprobs(NamedModel<TextGenerator> model, GenerationControls c) {
    if (!c.logprobs()) {
      return -1;
    }
    require(model, Feature.LOGPROBS, "logprobs", "log-probabilities");
    return c.topLogprobs() == null ? 0 : c.topLogprobs();
  }

  static Sampling sampling(
      NamedModel<TextGenerator> model,
      float temperature,
      Float topP,
      Integer seed,
      GenerationControls c) {
    if (!(temperature >= 0f && temperature <= 2f)) {
      throw InvalidRequestException.field("temperature", temperature, "between 0 and 2");
    }
    if (topP != null && !(topP > 0f && topP <= 1f)) {
      throw InvalidRequestException.field("top_p", topP, "greater than 0 and at most 1");
    }
    Sampling sampling =
        new Sampling(
            temperature,
            topP == null ? 1f : topP,
            seed == null ? OptionalInt.empty() : OptionalInt.of(seed));
    try {
      if (c.topK() != null && c.topK() != 0) {
        require(model, Feature.SAMPLERS, "top_k", "top-k sampling");
        sampling = sampling.withTopK(c.topK());
      }
      if (c.minP() != null && c.minP() != 0f) {
        require(model, Feature.SAMPLERS, "min_p", "min-p sampling");
        sampling = sampling.withMinP(c.minP());
      }
      float repetition = penalty(model, "repetition_penalty", c.repetitionPenalty(), 1f);
      float presence = penalty(model, "presence_penalty", c.presencePenalty(), 0f);
      float frequency = penalty(model, "frequency_penalty", c.frequencyPenalty(), 0f);
      sampling = sampling.withPenalties(repetition, presence, frequency);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage()); // Sampling names the field and the range
    }
    OutputFormat format = c.outputFormat();
    if (format == null) {
      return sampling;
    }
    String field = formatField(format);
    require(model, Feature.GRAMMAR, field, "grammar-constrained output");
    String gbnf =
        switch (format) {
          case OutputFormat.JsonSchema schema ->
              StructuredOutput.fromSchema(field, schema.schema());
          case OutputFormat.JsonObject json -> StructuredOutput.anyJsonObject(field);
          case OutputFormat.Grammar grammar -> {
            if (grammar.gbnf().isBlank()) {
              throw InvalidRequestException.field("grammar", "blank", "a GBNF grammar");
            }
            yield grammar.gbnf();
          }
        };
    return sampling.withGrammar(gbnf);
  }

  /** The request field an output format came from, for messages. */
  static String formatField(OutputFormat format) {
    return switch (format) {
      case OutputFormat.JsonSchema schema -> "response_format.json_schema";
      case OutputFormat.JsonObject json -> "response_format";
      case OutputFormat.Grammar grammar -> "grammar";
    };
  }

  /**
   * How the completion uses {@code c.tools()}: none without tools or with tool_choice "none";
   * otherwise rendered through the model's chat template, which must support them. A forced call
   * ("required" or a named function) also needs grammars ({@link #toolGrammar}). Log-probabilities
   * and output formats are refused with tools, since both would apply to text the core holds back
   * and rewrites as calls.
   */
  static ToolUse toolUse(NamedModel<TextGenerator> model, GenerationControls c) {
    if (c.tools().isEmpty()) {
      return ToolUse.NONE;
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < c.tools().size(); i++) {
      ToolDefinition tool = c.tools().get(i);
      if (tool.name().isEmpty()) {
        throw InvalidRequestException.field(
            "tools[" + i + "].function.name", "''", "a non-empty name");
      }
      if (!names.add(tool.name())) {
        throw InvalidRequestException.field(
            "tools[" + i + "].function.name", "'" + tool.name() + "'", "a name no other tool has");
      }
    }
    String choice = c.toolChoice() == null ? "auto" : c.toolChoice();
    boolean forced = !choice.equals("auto") && !choice.equals("none");
    if (forced && !choice.equals("required") && !names.contains(choice)) {
      throw InvalidRequestException.field(
          "tool_choice", "'" + choice + "'", "'none', 'auto', 'required' or one of " + names);
    }
    if (!model.model().features().contains(Feature.TOOLS)) {
      throw new InvalidRequestException(
          "tools: model '"
              + model.name()
              + "' does not support tool calls: its chat template has no tool support"
              + " (expected: tools left out, or a model whose chat template renders tools)");
    }
    if (choice.equals("none")) {
      return ToolUse.NONE;
    }
    if (c.logprobs()) {
      throw InvalidRequestException.field(
          "logprobs", "true with tools", "false, or tool_choice 'none'");
    }
    if (c.outputFormat() != null) {
      String field = formatField(c.outputFormat());
      throw InvalidRequestException.field(
          field, "set with tools", field + " left out, or tool_choice 'none'");
    }
    if (forced) {
      require(model, Feature.GRAMMAR, "tool_choice", "grammar-constrained tool calls");
    }
    return new ToolUse(
        c.tools(),
        forced,
        c.parallelToolCalls() == null || c.parallelToolCalls(),
        model.model().toolCallWrapping());
  }

  /**
   * GBNF for a forced call: to the tool tool_choice names, or to any for "required", with arguments
   * valid for that tool's parameter schema.
   */
  static String toolGrammar(ToolUse use, GenerationControls c) {
    Optional<String> named =
        "required".equals(c.toolChoice()) ? Optional.empty() : Optional.of(c.toolChoice());
    try {
      return ToolCallGrammar.grammar(use.tools(), named, use.parallel(), use.wrapping());
    } catch (IllegalArgumentException e) { // UnsupportedSchemaException included
      throw new InvalidRequestException("tools: " + e.getMessage());
    }
  }

  private static float penalty(
      NamedModel<TextGenerator> model, String field, Float value, float neutral) {
    if (value == null || value == neutral) {
      return neutral;
    }
    require(model, Feature.SAMPLERS, field, "sampling penalties");
    return value;
  }

  private static void require(
      NamedModel<TextGenerator> model, Feature feature, String field, String what) {
    if (!model.model().features().contains(feature)) {
      throw new InvalidRequestException(
          field
              + ": model '"
              + model.name()
              + "' does not support "
              + what
              + " (expected: "
              + field
              + " left out, or a model whose engine supports it)");
    }
  }
}
