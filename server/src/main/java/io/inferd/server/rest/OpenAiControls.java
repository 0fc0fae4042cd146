package io.inferd.server.rest;

import static io.inferd.server.rest.Json.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferd.engine.ToolDefinition;
import io.inferd.server.core.GenerationControls;
import io.inferd.server.core.GenerationControls.OutputFormat;
import io.inferd.server.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * OpenAI's (and llama.cpp's) generation parameters to the core's {@link GenerationControls}, and
 * the rule that no parameter is silently ignored: a field inferd does not know is a 400 naming it,
 * except the few that change nothing about the output (README: "Parameters that change nothing").
 */
final class OpenAiControls {
  /** Accepted and ignored: they describe the caller or ask for bookkeeping, not for other text. */
  static final Set<String> CHANGE_NOTHING = Set.of("user", "metadata", "store", "service_tier");

  /** The fields both endpoints take: the model, the sampling and the shape of the reply. */
  private static final List<String> SHARED =
      List.of(
          "model",
          "temperature",
          "top_p",
          "max_tokens",
          "stream",
          "stream_options",
          "n",
          "seed",
          "stop",
          "presence_penalty",
          "frequency_penalty",
          "logprobs",
          "top_k",
          "min_p",
          "repeat_penalty",
          "grammar",
          "logit_bias");

  static final Set<String> CHAT =
      with(
          "messages",
          "max_completion_tokens",
          "top_logprobs",
          "response_format",
          "tools",
          "tool_choice",
          "parallel_tool_calls");

  static final Set<String> COMPLETIONS = with("prompt", "echo", "suffix", "best_of");

  private OpenAiControls() {}

  private static Set<String> with(String... own) {
    List<String> fields = new ArrayList<>(SHARED);
    fields.addAll(List.of(own));
    return Set.copyOf(fields);
  }

  /** A 400 for the first field of {@code body} that is neither known nor harmless. */
  static void rejectUnknown(ObjectNode body, Set<String> known) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name) && !CHANGE_NOTHING.contains(name)) {
        throw new InvalidRequestException(
            name
                + ": not supported by inferd (expected: one of "
                + String.join(", ", sorted(known))
                + ", or left out)");
      }
    }
    JsonNode bias = body.get("logit_bias");
    if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
      throw invalid("logit_bias", bias, "left out or {}; inferd does not bias tokens");
    }
    JsonNode store = body.get("store");
    if (store != null && store.asBoolean(false)) {
      throw invalid("store", store, "false; inferd keeps no completions");
    }
  }

  /** The controls both endpoints share; chat adds logprobs, response_format and tools itself. */
  static GenerationControls.Builder common(ObjectNode body) {
    Float repeat = Json.optionalFloat(body, "repeat_penalty");
    String grammar = Json.optionalString(body, "grammar");
    GenerationControls.Builder controls =
        GenerationControls.builder()
            .stop(stop(body.get("stop")))
            .n(Json.optionalInt(body, "n"))
            .topK(Json.optionalInt(body, "top_k"))
            .minP(Json.optionalFloat(body, "min_p"))
            .repetitionPenalty(repeat)
            .presencePenalty(Json.optionalFloat(body, "presence_penalty"))
            .frequencyPenalty(Json.optionalFloat(body, "frequency_penalty"));
    if (grammar != null) {
      controls.outputFormat(new OutputFormat.Grammar(grammar));
    }
    return controls;
  }

  /**
   * {@code include_usage}: usage in a last chunk of its own, with no choices, as OpenAI sends it.
   */
  static boolean includeUsage(ObjectNode body, boolean stream) {
    JsonNode options = body.get("stream_options");
    if (options == null || options.isNull()) {
      return false;
    }
    if (!stream) {
      throw invalid("stream_options", options, "left out unless stream is true");
    }
    if (!options.isObject()) {
      throw invalid("stream_options", options, "an object {\"include_usage\": true|false}");
    }
    ObjectNode o = (ObjectNode) options;
    rejectUnknownIn("stream_options", o, Set.of("include_usage"));
    Boolean include = Json.optionalBoolean(o, "include_usage");
    return include != null && include;
  }

  private static List<String> stop(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(node.textValue());
    }
    if (!node.isArray()) {
      throw invalid("stop", node, "a string or an array of up to 4 strings");
    }
    List<String> stops = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw invalid("stop[" + i + "]", node.get(i), "a string");
      }
      stops.add(node.get(i).textValue());
    }
    return stops;
  }

  /** Chat's logprobs (a boolean) and top_logprobs. */
  static void chatLogprobs(ObjectNode body, GenerationControls.Builder controls) {
    Boolean logprobs = Json.optionalBoolean(body, "logprobs");
    controls
        .logprobs(logprobs != null && logprobs)
        .topLogprobs(Json.optionalInt(body, "top_logprobs"));
  }

  /** The legacy completions' logprobs: how many alternatives per token, 0 to 5. */
  static void completionLogprobs(ObjectNode body, GenerationControls.Builder controls) {
    Integer logprobs = Json.optionalInt(body, "logprobs");
    if (logprobs == null) {
      return;
    }
    if (logprobs < 0 || logprobs > 5) {
      throw invalid("logprobs", body.get("logprobs"), "0 to 5");
    }
    controls.logprobs(true).topLogprobs(logprobs);
  }

  static void responseFormat(ObjectNode body, GenerationControls.Builder controls) {
    JsonNode node = body.get("response_format");
    if (node == null || node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      throw invalid("response_format", node, "an object with a type");
    }
    String type = node.path("type").textValue();
    if (body.hasNonNull("grammar") && !"text".equals(type)) {
      throw invalid("grammar", body.get("grammar"), "left out when response_format is set");
    }
    switch (type == null ? "" : type) {
      case "text" -> {}
      case "json_object" -> controls.outputFormat(new OutputFormat.JsonObject());
      case "json_schema" -> {
        JsonNode spec = node.get("json_schema");
        if (spec == null || !spec.isObject()) {
          throw invalid(
              "response_format.json_schema",
              spec == null ? node.path("json_schema") : spec,
              "an object {name, schema, strict}");
        }
        JsonNode schema = spec.get("schema");
        if (schema == null || !schema.isObject()) {
          throw invalid(
              "response_format.json_schema.schema",
              schema == null ? spec.path("schema") : schema,
              "a JSON Schema object");
        }
        JsonNode strict = spec.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
          throw invalid("response_format.json_schema.strict", strict, "true or false");
        }
        controls.outputFormat(
            new OutputFormat.JsonSchema(Json.text(schema), strict != null && strict.asBoolean()));
      }
      default ->
          throw invalid(
              "response_format.type", node.path("type"), "'text', 'json_object' or 'json_schema'");
    }
  }

  /**
   * {@code tools} (function definitions), {@code tool_choice} and {@code parallel_tool_calls}; what
   * the model can do with them is the core's decision.
   */
  static void tools(ObjectNode body, GenerationControls.Builder controls) {
    JsonNode tools = body.get("tools");
    List<ToolDefinition> definitions = new ArrayList<>();
    String strictField = null; // the first tool that asks for strict arguments
    if (tools != null && !tools.isNull()) {
      if (!tools.isArray()) {
        throw invalid("tools", tools, "an array of {type: function, function: {...}}");
      }
      for (int i = 0; i < tools.size(); i++) {
        String field = "tools[" + i + "]";
        JsonNode tool = tools.get(i);
        if (!tool.isObject()) {
          throw invalid(field, tool, "an object {type: function, function: {...}}");
        }
        rejectUnknownIn(field, (ObjectNode) tool, Set.of("type", "function"));
        if (!"function".equals(tool.path("type").textValue())) {
          throw invalid(field + ".type", tool.path("type"), "'function'");
        }
        JsonNode function = tool.path("function");
        if (!function.isObject()) {
          throw invalid(field + ".function", function, "an object {name, description, parameters}");
        }
        rejectUnknownIn(
            field + ".function",
            (ObjectNode) function,
            Set.of("name", "description", "parameters", "strict"));
        if (!function.path("name").isTextual()) {
          throw invalid(field + ".function.name", function.path("name"), "a string");
        }
        JsonNode description = function.path("description");
        if (!description.isMissingNode() && !description.isNull() && !description.isTextual()) {
          throw invalid(field + ".function.description", description, "a string");
        }
        JsonNode strict = function.path("strict");
        if (!strict.isMissingNode() && !strict.isNull() && !strict.isBoolean()) {
          throw invalid(field + ".function.strict", strict, "true or false");
        }
        if (strict.asBoolean(false) && strictField == null) {
          strictField = field + ".function.strict";
        }
        JsonNode parameters = function.path("parameters");
        if (!parameters.isMissingNode() && !parameters.isNull() && !parameters.isObject()) {
          throw invalid(field + ".function.parameters", parameters, "a JSON Schema object");
        }
        definitions.add(
            new ToolDefinition(
                function.path("name").textValue(),
                description.isTextual() ? description.textValue() : "",
                parameters.isObject() ? Json.text(parameters) : "{\"type\":\"object\"}"));
      }
    }
    controls.tools(definitions);
    controls.parallelToolCalls(Json.optionalBoolean(body, "parallel_tool_calls"));
    String mode = toolChoice(body.get("tool_choice"));
    controls.toolChoice(mode);
    // A forced call's arguments always hold to the schema; a call the model chose freely is read
    // as written, so strict cannot be promised there.
    if (strictField != null && (mode == null || mode.equals("auto"))) {
      throw invalid(
          strictField,
          BooleanNode.TRUE,
          "false, or tool_choice 'required' or a named function (inferd constrains arguments to"
              + " the schema only for a forced call)");
    }
  }

  private static String toolChoice(JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return null;
    }
    if (choice.isTextual()) {
      String mode = choice.textValue();
      if (!Set.of("none", "auto", "required").contains(mode)) {
        throw invalid("tool_choice", choice, "'none', 'auto', 'required' or a named function");
      }
      return mode;
    }
    JsonNode name = choice.path("function").path("name");
    if (!"function".equals(choice.path("type").textValue()) || !name.isTextual()) {
      throw invalid(
          "tool_choice",
          choice,
          "'none', 'auto', 'required' or {type: function, function: {name}}");
    }
    return name.textValue();
  }

  private static void rejectUnknownIn(String field, ObjectNode node, Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            field
                + "."
                + name
                + ": not supported by inferd (expected: one of "
                + String.join(", ", sorted(known))
                + ")");
      }
    }
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }
}
