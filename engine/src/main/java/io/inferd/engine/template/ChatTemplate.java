package io.inferd.engine.template;

import static java.util.Objects.requireNonNull;

import com.hubspot.jinjava.interpret.CollectionTooBigException;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateError.ErrorReason;
import com.hubspot.jinjava.interpret.TemplateError.ErrorType;
import com.hubspot.jinjava.tree.Node;
import io.inferd.engine.template.ChatTemplateException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template ({@code tokenizer.chat_template}, Jinja2), compiled once per model
 * and rendered in Java, as llama.cpp's {@code --jinja} renders it.
 *
 * <p>Immutable and thread-safe. Templates come with models and messages with requests, so both are
 * untrusted: rendering runs in a sandbox (see {@link SandboxedJinjava}) and within budgets of
 * output size, template steps, time and recursion, failing with {@link ChatTemplateException}
 * rather than hanging or exhausting memory; message text is data, never template code.
 */
public final class ChatTemplate {
  /** Most characters a render may produce (and any one string in it may have). */
  public static final long MAX_OUTPUT_CHARS = 8L << 20;

  static final int MAX_SOURCE_CHARS = 1 << 20;
  static final long MAX_NODES = 2_000_000;
  static final Duration TIME_BUDGET = Duration.ofSeconds(2);
  // Messages and tool schemas nest a few levels; a bound keeps tojson and copies off the stack.
  static final int MAX_DATA_DEPTH = 64;
  // A variable named tools, not an attribute (x.tools) or a string ('tools').
  private static final Pattern READS_TOOLS = Pattern.compile("(?<![\\w.'\"])tools(?![\\w'\"])");

  private final Node root;
  private final String bosToken;
  private final String eosToken;
  private final Clock clock;
  private final boolean supportsTools;
  private final boolean supportsSystemRole;
  private final boolean writesToolCallTags;
  private final boolean requiresObjectArguments;

  private ChatTemplate(Node root, String source, String bosToken, String eosToken, Clock clock) {
    this.root = root;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.clock = clock;
    this.supportsTools = READS_TOOLS.matcher(source).find();
    this.supportsSystemRole = probeSystemRole();
    this.writesToolCallTags = supportsTools && source.contains("<tool_call>");
    this.requiresObjectArguments = supportsTools && probeObjectArguments();
  }

  /**
   * Parses {@code jinjaSource} and checks it renders a one-message conversation.
   *
   * @param bosToken the model's BOS text ({@code bos_token}); null for none
   * @param eosToken the model's EOS text ({@code eos_token}); null for none
   * @throws IllegalArgumentException naming the problem, if the template does not parse or fails on
   *     a plain user message
   */
  public static ChatTemplate compile(String jinjaSource, String bosToken, String eosToken) {
    return compile(jinjaSource, bosToken, eosToken, Clock.systemDefaultZone());
  }

  /** As {@link #compile(String, String, String)}, with the clock {@code strftime_now} reads. */
  static ChatTemplate compile(String jinjaSource, String bosToken, String eosToken, Clock clock) {
    requireNonNull(jinjaSource, "jinjaSource");
    requireNonNull(clock, "clock");
    if (jinjaSource.length() > MAX_SOURCE_CHARS) {
      throw new IllegalArgumentException(
          "chat template: "
              + jinjaSource.length()
              + " characters (expected: <= "
              + MAX_SOURCE_CHARS
              + ")");
    }
    // Jinja2's lexer drops one trailing newline of the source (keep_trailing_newline=False).
    String source =
        jinjaSource.endsWith("\n")
            ? jinjaSource.substring(0, jinjaSource.length() - 1)
            : jinjaSource;
    JinjavaInterpreter parser = newInterpreter(Map.of());
    Node root;
    JinjavaInterpreter.pushCurrent(parser);
    try {
      root = parser.parse(source);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("chat template does not parse: " + e.getMessage(), e);
    } finally {
      JinjavaInterpreter.popCurrent();
    }
    for (TemplateError error : parser.getErrors()) {
      if (error.getSeverity() == ErrorType.FATAL) {
        throw new IllegalArgumentException(
            "chat template does not parse: "
                + error.getMessage()
                + " (line "
                + error.getLineno()
                + ")");
      }
    }
    ChatTemplate template =
        new ChatTemplate(
            root,
            source,
            bosToken == null ? "" : bosToken,
            eosToken == null ? "" : eosToken,
            clock);
    try {
      template.render(
          List.of(Map.of("role", "user", "content", "Hello")), true, List.of(), Map.of());
    } catch (ChatTemplateException e) {
      if (e.reason() != Reason.RAISED) {
        throw new IllegalArgumentException(
            "chat template fails on a plain user message: " + e.getMessage(), e);
      }
    }
    return template;
  }

  /**
   * Renders a conversation into the prompt text.
   *
   * @param messages maps as in Hugging Face: {@code role}, {@code content}, and optionally {@code
   *     tool_calls} (a list of {@code {type: function, function: {name, arguments}}}, arguments a
   *     map or a JSON string), {@code tool_call_id}, {@code name}
   * @param addGenerationPrompt whether to end with the header that opens the assistant's reply
   * @param tools tool (function) definitions in OpenAI's JSON schema form; empty for none
   * @param extraContext further template variables (e.g. {@code enable_thinking}); may not replace
   *     messages, tools, add_generation_prompt, bos_token or eos_token
   * @throws ChatTemplateException if the template raises, fails, or exceeds a budget
   */
  public String render(
      List<Map<String, Object>> messages,
      boolean addGenerationPrompt,
      List<Map<String, Object>> tools,
      Map<String, Object> extraContext) {
    requireNonNull(messages, "messages");
    requireNonNull(tools, "tools");
    requireNonNull(extraContext, "extraContext");
    Map<String, Object> bindings = new HashMap<>();
    long[] chars = {0};
    for (Map.Entry<String, Object> e : extraContext.entrySet()) {
      bindings.put(e.getKey(), copy(e.getValue(), 0, chars));
    }
    // Jinja's functions are variables too, and templates test `strftime_now is defined`;
    // Jinjava's are not, so each gets a variable of the same name (calls still go to the function).
    bindings.put("strftime_now", "<function strftime_now>");
    bindings.put("raise_exception", "<function raise_exception>");
    bindings.put("messages", copy(messages, 0, chars));
    bindings.put("add_generation_prompt", addGenerationPrompt);
    bindings.put("bos_token", bosToken);
    bindings.put("eos_token", eosToken);
    if (tools.isEmpty()) {
      bindings.remove("tools"); // undefined, as llama.cpp leaves it, so `tools is defined` is false
    } else {
      bindings.put("tools", copy(tools, 0, chars));
    }
    return renderBindings(bindings);
  }

  /** Whether the template reads a {@code tools} variable (a source scan, like llama.cpp's). */
  public boolean supportsTools() {
    return supportsTools;
  }

  /**
   * Whether a system message reaches the prompt: found at compile by rendering a system and a user
   * message and looking for the system text (a template that raises on it, like Gemma's, or drops
   * it, has none). Callers merge system text into the first user turn otherwise.
   */
  public boolean supportsSystemRole() {
    return supportsSystemRole;
  }

  /**
   * Whether the template has the model write each tool call inside {@code <tool_call>} tags (Qwen,
   * Hermes and similar), rather than as bare JSON.
   */
  public boolean writesToolCallTags() {
    return writesToolCallTags;
  }

  /**
   * Whether an assistant turn's tool call arguments must be given as an object rather than as
   * OpenAI's JSON string: found at compile, as llama.cpp finds it, by rendering a call with string
   * arguments and looking for them as JSON (a template that applies {@code tojson} to a string
   * writes it quoted instead).
   */
  public boolean requiresObjectArguments() {
    return requiresObjectArguments;
  }

  private boolean probeObjectArguments() {
    return !rendersArguments("{\"argument_needle\": 1}")
        && rendersArguments(Map.of("argument_needle", 1));
  }

  private boolean rendersArguments(Object arguments) {
    Map<String, Object> call =
        Map.of(
            "id",
            "call_probe",
            "type",
            "function",
            "function",
            Map.of("name", "inferd_probe", "arguments", arguments));
    try {
      String out =
          render(
              List.of(
                  Map.of("role", "user", "content", "Hi"),
                  Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)),
                  Map.of(
                      "role",
                      "tool",
                      "tool_call_id",
                      "call_probe",
                      "content",
                      "1",
                      "name",
                      "inferd_probe")),
              true,
              List.of(),
              Map.of());
      return out.contains("\"argument_needle\":") || out.contains("'argument_needle':");
    } catch (ChatTemplateException e) {
      return false;
    }
  }

  private boolean probeSystemRole() {
    String needle = "<inferd-system-probe>";
    try {
      String out =
          render(
              List.of(
                  Map.of("role", "system", "content", needle),
                  Map.of("role", "user", "content", "Hi")),
              false,
              List.of(),
              Map.of());
      return out.contains(needle);
    } catch (ChatTemplateException e) {
      return false;
    }
  }

  private String renderBindings(Map<String, Object> bindings) {
    JinjavaInterpreter interpreter = newInterpreter(bindings);
    RenderState state = RenderState.begin(TIME_BUDGET.toNanos(), MAX_NODES, clock);
    JinjavaInterpreter.pushCurrent(interpreter);
    String output;
    RuntimeException failure = null;
    try {
      output = interpreter.render(root, false);
    } catch (StackOverflowError e) {
      throw new ChatTemplateException(Reason.LIMIT, "chat template: recursion too deep");
    } catch (RuntimeException e) {
      output = null;
      failure = e;
    } finally {
      JinjavaInterpreter.popCurrent();
      RenderState.end();
    }
    if (state.raised() != null) {
      throw new ChatTemplateException(Reason.RAISED, state.raised());
    }
    if (state.limit() != null) {
      throw new ChatTemplateException(Reason.LIMIT, "chat template: " + state.limit());
    }
    for (TemplateError error : interpreter.getErrors()) {
      String message = String.valueOf(error.getMessage());
      // Jinjava reports a runaway macro as a warning and renders on; Python raises RecursionError.
      boolean recursion = message.contains("recursion limit");
      if (error.getSeverity() != ErrorType.FATAL && !recursion) {
        continue;
      }
      boolean limit =
          recursion
              || error.getReason() == ErrorReason.OUTPUT_TOO_BIG
              || error.getReason() == ErrorReason.COLLECTION_TOO_BIG
              || causedByLimit(error.getException());
      throw new ChatTemplateException(
          limit ? Reason.LIMIT : Reason.TEMPLATE_ERROR,
          "chat template failed at line " + error.getLineno() + ": " + message);
    }
    if (failure != null) {
      throw new ChatTemplateException(
          Reason.TEMPLATE_ERROR, "chat template failed: " + failure.getMessage());
    }
    return output;
  }

  private static boolean causedByLimit(Throwable e) {
    for (int i = 0; e != null && i < 16; e = e.getCause(), i++) {
      if (e instanceof OutputTooBigException || e instanceof CollectionTooBigException) {
        return true;
      }
    }
    return false;
  }

  private static JinjavaInterpreter newInterpreter(Map<String, Object> bindings) {
    Context context =
        new Context(
            SandboxedJinjava.JINJAVA.getGlobalContextCopy(),
            bindings,
            SandboxedJinjava.CONFIG.getDisabled());
    return new JinjavaInterpreter(SandboxedJinjava.JINJAVA, context, SandboxedJinjava.CONFIG);
  }

  /**
   * A private copy in plain maps and lists: the template cannot change the caller's objects, sees
   * no other Java types, and finds nesting bounded.
   */
  private static Object copy(Object value, int depth, long[] chars) {
    if (depth > MAX_DATA_DEPTH) {
      throw new ChatTemplateException(
          Reason.LIMIT, "chat template input nests deeper than " + MAX_DATA_DEPTH + " levels");
    }
    return switch (value) {
      case null -> null;
      case String s -> {
        chars[0] += s.length();
        if (chars[0] > MAX_OUTPUT_CHARS) {
          throw new ChatTemplateException(
              Reason.LIMIT, "chat template input exceeds " + MAX_OUTPUT_CHARS + " characters");
        }
        yield s;
      }
      case Boolean b -> b;
      case Integer i -> i.longValue();
      case Long l -> l;
      case Number n -> n.doubleValue();
      case Map<?, ?> map -> {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.put(String.valueOf(e.getKey()), copy(e.getValue(), depth + 1, chars));
        }
        yield out;
      }
      case Collection<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (Object o : list) {
          out.add(copy(o, depth + 1, chars));
        }
        yield out;
      }
      default -> value.toString();
    };
  }
}
