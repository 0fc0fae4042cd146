package io.inferd.server.rest;

import static io.inferd.server.rest.Json.invalid;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Role;
import io.inferd.engine.Turn;
import io.inferd.server.core.Completion;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.CompletionInput.InputMessage;
import io.inferd.server.core.GenerationControls;
import io.inferd.server.core.InferenceCore.EmbeddingResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * OpenAI's JSON shapes to and from the core's types. Only types and shapes are checked here; what
 * the values may be is the core's decision, so REST and gRPC say the same things.
 */
final class OpenAiJson {
  private OpenAiJson() {}

  /**
   * A chat completion request; {@code stream} asks for server-sent events, {@code includeUsage} for
   * usage in a chunk of its own at the end.
   */
  record ChatRequest(CompletionInput input, boolean stream, boolean includeUsage) {}

  /** An embeddings request; {@code dimensions} is null when not asked for. */
  record EmbeddingRequest(String model, List<String> texts, boolean base64, Integer dimensions) {}

  static ChatRequest chatRequest(ObjectNode body) {
    OpenAiControls.rejectUnknown(body, OpenAiControls.CHAT);
    GenerationControls.Builder controls = OpenAiControls.common(body);
    OpenAiControls.chatLogprobs(body, controls);
    OpenAiControls.responseFormat(body, controls);
    OpenAiControls.tools(body, controls);
    // max_completion_tokens is OpenAI's newer name; it wins when both are sent.
    Integer maxTokens = Json.optionalInt(body, "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = Json.optionalInt(body, "max_tokens");
    }
    Float temperature = Json.optionalFloat(body, "temperature");
    Boolean stream = Json.optionalBoolean(body, "stream");
    return new ChatRequest(
        new CompletionInput(
            Json.optionalString(body, "model"),
            messages(body.get("messages")),
            temperature == null ? 0f : temperature, // 0 (greedy), as gRPC; OpenAI's default is 1
            maxTokens == null ? 0 : maxTokens,
            Json.optionalFloat(body, "top_p"),
            Json.optionalInt(body, "seed"),
            controls.build()),
        stream != null && stream,
        OpenAiControls.includeUsage(body, stream != null && stream));
  }

  private static List<InputMessage> messages(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of(); // the core answers "messages: empty", as it does for gRPC
    }
    if (!node.isArray()) {
      throw invalid("messages", node, "an array of {role, content} objects");
    }
    List<InputMessage> messages = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String field = "messages[" + i + "]";
      JsonNode message = node.get(i);
      if (!message.isObject()) {
        throw invalid(field, message, "an object with role and content");
      }
      JsonNode role = message.get("role");
      if (role != null && !role.isNull() && !role.isTextual()) {
        throw invalid(field + ".role", role, "a string");
      }
      // OpenAI's newer name for the system role, as its reasoning models use it.
      String name = role == null ? null : role.textValue();
      JsonNode callId = message.get("tool_call_id");
      if (callId != null && !callId.isNull() && !callId.isTextual()) {
        throw invalid(field + ".tool_call_id", callId, "a string");
      }
      messages.add(
          new InputMessage(
              "developer".equals(name) ? "system" : name,
              content(field + ".content", message.get("content")),
              toolCalls(field + ".tool_calls", message.get("tool_calls")),
              callId == null ? null : callId.textValue()));
    }
    return messages;
  }

  /**
   * An assistant message's {@code tool_calls}: {@code [{id, type: function, function: {name,
   * arguments}}]}, arguments a JSON object as text (as OpenAI returns them).
   */
  private static List<Turn.ToolCall> toolCalls(String field, JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw invalid(field, node, "an array of {id, type: function, function: {name, arguments}}");
    }
    List<Turn.ToolCall> calls = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String at = field + "[" + i + "]";
      JsonNode call = node.get(i);
      if (!call.isObject()) {
        throw invalid(at, call, "an object {id, type: function, function: {name, arguments}}");
      }
      if (!call.path("id").isTextual()) {
        throw invalid(at + ".id", call.path("id"), "a string");
      }
      if (!"function".equals(call.path("type").textValue())) {
        throw invalid(at + ".type", call.path("type"), "'function'");
      }
      JsonNode function = call.path("function");
      if (!function.path("name").isTextual()) {
        throw invalid(at + ".function.name", function.path("name"), "a string");
      }
      JsonNode arguments = function.path("arguments");
      if (!arguments.isTextual()) {
        throw invalid(at + ".function.arguments", arguments, "a JSON object as a string");
      }
      try {
        if (!Json.MAPPER.readTree(arguments.textValue()).isObject()) {
          throw invalid(at + ".function.arguments", arguments, "a JSON object as a string");
        }
      } catch (JacksonException e) {
        throw invalid(at + ".function.arguments", arguments, "a JSON object as a string");
      }
      calls.add(
          new Turn.ToolCall(
              call.path("id").textValue(),
              function.path("name").textValue(),
              arguments.textValue()));
    }
    return calls;
  }

  /** A string, or OpenAI's array of content parts of which inferd takes the text parts. */
  private static String content(String field, JsonNode node) {
    if (node == null || node.isNull()) {
      return "";
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (!node.isArray()) {
      throw invalid(field, node, "a string or an array of text parts");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < node.size(); i++) {
      JsonNode part = node.get(i);
      String partField = field + "[" + i + "]";
      if (!part.isObject()) {
        throw invalid(partField, part, "an object {\"type\": \"text\", \"text\": ...}");
      }
      JsonNode type = part.path("type");
      if (!"text".equals(type.textValue())) {
        throw invalid(partField + ".type", type, "'text'; inferd serves text models");
      }
      JsonNode partText = part.path("text");
      if (!partText.isTextual()) {
        throw invalid(partField + ".text", partText, "a string");
      }
      text.append(partText.textValue());
    }
    return text.toString();
  }

  static EmbeddingRequest embeddingRequest(ObjectNode body) {
    String format = Json.optionalString(body, "encoding_format");
    if (format != null && !format.equals("float") && !format.equals("base64")) {
      throw invalid("encoding_format", body.get("encoding_format"), "'float' or 'base64'");
    }
    return new EmbeddingRequest(
        Json.optionalString(body, "model"),
        texts(body.get("input")),
        "base64".equals(format),
        Json.optionalInt(body, "dimensions"));
  }

  private static List<String> texts(JsonNode input) {
    String expected = "a string or an array of strings";
    if (input == null || input.isNull()) {
      return List.of(); // the core answers "texts: none"
    }
    if (input.isTextual()) {
      return List.of(input.textValue());
    }
    if (!input.isArray()) {
      throw invalid("input", input, expected);
    }
    List<String> texts = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (!item.isTextual()) {
        throw invalid("input[" + i + "]", item, "a string; token arrays are not supported");
      }
      texts.add(item.textValue());
    }
    return texts;
  }

  static ObjectNode completion(
      String id, long created, String model, Completion completion, boolean logprobs) {
    ObjectNode body = head(id, "chat.completion", created, model);
    ArrayNode choices = body.putArray("choices");
    for (Completion.Choice c : completion.choices()) {
      ObjectNode choice = choices.addObject().put("index", c.index());
      ObjectNode message = choice.putObject("message").put("role", Role.ASSISTANT.wireName());
      if (c.toolCalls().isEmpty()) {
        message.put("content", c.generation().text());
      } else {
        // OpenAI's shape: content null when the reply is only calls
        String text = c.generation().text();
        if (text.isBlank()) {
          message.putNull("content");
        } else {
          message.put("content", text);
        }
        message.set("tool_calls", toolCalls(c.toolCalls(), false));
      }
      choice.set("logprobs", logprobs ? logprobs(c.logprobs()) : NullNode.instance);
      choice.put("finish_reason", c.generation().finishReason().wireName());
    }
    body.set("usage", usage(completion.promptTokens(), completion.completionTokens()));
    return body;
  }

  /** OpenAI's chat logprobs: {"content": [{token, logprob, bytes, top_logprobs: [...]}]}. */
  static ObjectNode logprobs(List<GeneratedToken> tokens) {
    ObjectNode logprobs = Json.MAPPER.createObjectNode();
    ArrayNode content = logprobs.putArray("content");
    for (GeneratedToken token : tokens) {
      ObjectNode entry =
          content.addObject().put("token", token.text()).put("logprob", token.logprob());
      bytes(entry.putArray("bytes"), token.text().getBytes(StandardCharsets.UTF_8));
      ArrayNode top = entry.putArray("top_logprobs");
      for (GeneratedToken.Alternative alt : token.topLogprobs()) {
        ObjectNode a = top.addObject().put("token", alt.text()).put("logprob", alt.logprob());
        bytes(a.putArray("bytes"), alt.bytes());
      }
    }
    logprobs.putNull("refusal");
    return logprobs;
  }

  private static void bytes(ArrayNode out, byte[] bytes) {
    for (byte b : bytes) {
      out.add(b & 0xff);
    }
  }

  /**
   * OpenAI's {@code tool_calls}: {@code [{id, type: function, function: {name, arguments}}]},
   * arguments as JSON text; in a stream each also has its {@code index}.
   */
  static ArrayNode toolCalls(List<Turn.ToolCall> calls, boolean indexed) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (int i = 0; i < calls.size(); i++) {
      Turn.ToolCall call = calls.get(i);
      ObjectNode item = out.addObject();
      if (indexed) {
        item.put("index", i);
      }
      item.put("id", call.id()).put("type", "function");
      item.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
    }
    return out;
  }

  /**
   * A chunk with the tool calls of one choice, all at once (the core reads them when the choice
   * ends).
   */
  static ObjectNode toolCallsDelta(
      String id, long created, String model, Completion.Choice c, boolean first) {
    ObjectNode delta = Json.MAPPER.createObjectNode();
    if (first) {
      delta.put("role", Role.ASSISTANT.wireName());
    }
    delta.set("tool_calls", toolCalls(c.toolCalls(), true));
    ObjectNode chunk = head(id, "chat.completion.chunk", created, model);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", c.index());
    choice.set("delta", delta);
    choice.putNull("finish_reason");
    return chunk;
  }

  /**
   * A chunk with text of one choice; a choice's first chunk also carries the role. {@code
   * holdsToolCalls}: the core holds back text that may be tool calls, so a token whose text is held
   * sends no content, rather than an empty one.
   */
  static ObjectNode delta(
      String id,
      long created,
      String model,
      int index,
      String text,
      List<GeneratedToken> tokens,
      boolean logprobs,
      boolean first,
      boolean holdsToolCalls) {
    ObjectNode delta = Json.MAPPER.createObjectNode();
    if (first) {
      delta.put("role", Role.ASSISTANT.wireName());
    }
    if (!text.isEmpty() || !holdsToolCalls) {
      delta.put("content", text);
    }
    ObjectNode chunk = head(id, "chat.completion.chunk", created, model);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", index);
    choice.set("delta", delta);
    if (logprobs) {
      choice.set("logprobs", logprobs(tokens));
    }
    choice.putNull("finish_reason");
    return chunk;
  }

  /**
   * The closing chunk: each choice's finish reason (and the role for a choice that sent nothing),
   * and usage unless it goes in a chunk of its own ({@code include_usage}).
   */
  static ObjectNode last(
      String id,
      long created,
      String model,
      Completion completion,
      boolean[] started,
      boolean usageApart) {
    ObjectNode chunk = head(id, "chat.completion.chunk", created, model);
    ArrayNode choices = chunk.putArray("choices");
    for (Completion.Choice c : completion.choices()) {
      ObjectNode delta = Json.MAPPER.createObjectNode();
      if (!started[c.index()]) {
        delta.put("role", Role.ASSISTANT.wireName());
      }
      ObjectNode choice = choices.addObject().put("index", c.index());
      choice.set("delta", delta);
      choice.put("finish_reason", c.generation().finishReason().wireName());
    }
    if (!usageApart) {
      chunk.set("usage", usage(completion.promptTokens(), completion.completionTokens()));
    }
    return chunk;
  }

  /** stream_options.include_usage: a last chunk with no choices and the usage. */
  static ObjectNode usageChunk(String id, String object, long created, String model, Completion c) {
    ObjectNode chunk = head(id, object, created, model);
    chunk.putArray("choices");
    chunk.set("usage", usage(c.promptTokens(), c.completionTokens()));
    return chunk;
  }

  static ObjectNode head(String id, String object, long created, String model) {
    return Json.MAPPER
        .createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model);
  }

  static ObjectNode usage(int prompt, int completion) {
    return Json.MAPPER
        .createObjectNode()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  static ObjectNode embeddings(EmbeddingResult result, boolean base64) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    List<float[]> vectors = result.vectors();
    for (int i = 0; i < vectors.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        item.put("embedding", base64(vectors.get(i)));
      } else {
        ArrayNode vector = item.putArray("embedding");
        for (float v : vectors.get(i)) {
          vector.add(v);
        }
      }
    }
    body.put("model", result.model());
    body.putObject("usage")
        .put("prompt_tokens", result.tokenCount())
        .put("total_tokens", result.tokenCount());
    return body;
  }

  /** OpenAI's base64 format: the little-endian float32 array, base64-encoded. */
  static String base64(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  static ObjectNode model(String name, long created) {
    return Json.MAPPER
        .createObjectNode()
        .put("id", name)
        .put("object", "model")
        .put("created", created)
        .put("owned_by", "inferd");
  }

  static ObjectNode models(Collection<String> names, long created) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    names.forEach(name -> data.add(model(name, created)));
    return body;
  }
}
