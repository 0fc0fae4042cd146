package io.inferd.engine.llama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferd.engine.Role;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import io.inferd.engine.template.ChatTemplate;
import io.inferd.engine.template.ChatTemplateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's own Jinja chat template ({@code tokenizer.chat_template}), rendered in Java as
 * llama.cpp's {@code --jinja} does, with the model's BOS and EOS texts. A template without a system
 * role gets the system text merged into the first user turn.
 */
final class JinjaChat implements ChatRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ChatTemplate template;

  private JinjaChat(ChatTemplate template) {
    this.template = template;
  }

  static JinjaChat compile(String source, NativeModel model, Path file) {
    try {
      return new JinjaChat(
          ChatTemplate.compile(source, model.tokenText(model.bos()), model.tokenText(model.eos())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          file + ": its tokenizer.chat_template cannot be used: " + e.getMessage(), e);
    }
  }

  @Override
  public Format format() {
    return Format.MODEL_TEMPLATE;
  }

  @Override
  public boolean supportsTools() {
    return template.supportsTools();
  }

  @Override
  public Wrapping toolCallWrapping() {
    return template.writesToolCallTags() ? Wrapping.TOOL_CALL_TAGS : Wrapping.NONE;
  }

  @Override
  public String render(List<Turn> conversation, List<ToolDefinition> tools) {
    if (!tools.isEmpty() && !template.supportsTools()) {
      throw new UnsupportedOperationException(
          "tools: this model's chat template has no tool support");
    }
    try {
      return template.render(messages(conversation), true, toolMaps(tools), Map.of());
    } catch (ChatTemplateException e) {
      throw new IllegalArgumentException(
          "messages: the model's chat template refused them: " + e.getMessage(), e);
    }
  }

  private List<Map<String, Object>> messages(List<Turn> conversation) {
    List<Map<String, Object>> out = new ArrayList<>();
    String pendingSystem = null;
    for (Turn turn : conversation) {
      if (turn.role() == Role.SYSTEM && !template.supportsSystemRole()) {
        pendingSystem =
            pendingSystem == null ? turn.content() : pendingSystem + "\n" + turn.content();
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", turn.role().wireName());
      String content = turn.content();
      if (pendingSystem != null && turn.role() == Role.USER) {
        content = pendingSystem + "\n\n" + content;
        pendingSystem = null;
      }
      m.put("content", content);
      if (!turn.toolCalls().isEmpty()) {
        List<Map<String, Object>> calls = new ArrayList<>();
        for (Turn.ToolCall call : turn.toolCalls()) {
          // Ordered as OpenAI writes them, for templates that write them out with tojson.
          Map<String, Object> function = new LinkedHashMap<>();
          function.put("name", call.name());
          function.put("arguments", arguments(call));
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("id", call.id());
          entry.put("type", "function");
          entry.put("function", function);
          calls.add(entry);
        }
        m.put("tool_calls", calls);
      }
      if (!turn.toolCallId().isEmpty()) {
        m.put("tool_call_id", turn.toolCallId());
      }
      out.add(m);
    }
    if (pendingSystem != null) {
      out.add(0, Map.of("role", "user", "content", pendingSystem));
    }
    return out;
  }

  /** OpenAI's JSON text, or the object it holds for a template that applies tojson to it. */
  private Object arguments(Turn.ToolCall call) {
    if (!template.requiresObjectArguments()) {
      return call.argumentsJson();
    }
    try {
      return JSON.readValue(call.argumentsJson(), Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "messages: the arguments of tool call '"
              + call.id()
              + "' are not JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static List<Map<String, Object>> toolMaps(List<ToolDefinition> tools) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ToolDefinition tool : tools) {
      Map<String, Object> function = new LinkedHashMap<>();
      function.put("name", tool.name());
      function.put("description", tool.description());
      function.put("parameters", parseSchema(tool));
      Map<String, Object> entry = new LinkedHashMap<>(); // {"type": ..., "function": ...} in order
      entry.put("type", "function");
      entry.put("function", function);
      out.add(entry);
    }
    return out;
  }

  private static Object parseSchema(ToolDefinition tool) {
    try {
      return JSON.readValue(tool.parametersJsonSchema(), Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "tools: the parameters of '" + tool.name() + "' are not JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  @Override
  public String toString() {
    return "the model's chat template";
  }
}
