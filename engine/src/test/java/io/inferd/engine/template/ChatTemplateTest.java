package io.inferd.engine.template;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.llama.GgufHeader;
import io.inferd.engine.template.ChatTemplateException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates (from the models' tokenizer configs) rendered to the formats their model
 * cards document; every expected string was also checked against Hugging Face's own rendering
 * (Python jinja2's sandbox with trim_blocks and lstrip_blocks).
 */
class ChatTemplateTest {
  private static final Clock DEC_1_2026 =
      Clock.fixed(Instant.parse("2026-12-01T09:30:00Z"), ZoneOffset.UTC);
  private static final Map<String, Object> WEATHER_TOOL =
      ordered(
          "type",
          "function",
          "function",
          ordered(
              "name", "get_weather",
              "description", "Current weather for a city",
              "parameters",
                  ordered(
                      "type", "object",
                      "properties",
                          Map.of(
                              "city",
                              ordered("type", "string", "description", "City name, e.g. Zürich")),
                      "required", List.of("city"))));

  @Test
  void chatMl_qwen25_rendersTurnsAndOpensTheAssistantReply() {
    ChatTemplate qwen = template("qwen2.5");

    String prompt =
        qwen.render(
            List.of(system("Be brief."), user("Hi"), assistant("Hello!"), user("And?")),
            true,
            List.of(),
            Map.of());

    assertThat(prompt)
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nAnd?<|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void chatMl_qwen25_withoutGenerationPrompt_endsAfterTheLastTurnAndAddsTheDefaultSystem() {
    String prompt = template("qwen2.5").render(List.of(user("Hi")), false, List.of(), Map.of());

    assertThat(prompt)
        .isEqualTo(
            "<|im_start|>system\n"
                + "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n"
                + "Hi<|im_end|>\n");
  }

  @Test
  void qwen25_toolDefinitions_renderAsOneLineJsonKeepingNonAscii() {
    ChatTemplate qwen = template("qwen2.5");

    String prompt =
        qwen.render(List.of(user("Weather in Paris?")), true, List.of(WEATHER_TOOL), Map.of());

    assertThat(qwen.supportsTools()).isTrue();
    assertThat(prompt)
        .contains(
            "<tools>\n"
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\","
                + " \"description\": \"Current weather for a city\", \"parameters\": {\"type\":"
                + " \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\":"
                + " \"City name, e.g. Zürich\"}}, \"required\": [\"city\"]}}}\n"
                + "</tools>")
        .endsWith("<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void toolCallFormat_qwen25HasTagsAndObjectArguments_llama32BareJson_aPlainTemplateStrings() {
    ChatTemplate qwen = template("qwen2.5");
    ChatTemplate llama = template("llama-3.2");
    ChatTemplate writesArgumentsAsGiven =
        ChatTemplate.compile(
            "{% if tools %}{% endif %}{% for m in messages %}{% for c in m.tool_calls or [] %}"
                + "{{ c.function.arguments }}{% endfor %}{{ m.content }}{% endfor %}",
            "<s>", "</s>");

    assertThat(qwen.writesToolCallTags()).isTrue();
    assertThat(qwen.requiresObjectArguments()).isTrue(); // {{ arguments | tojson }}
    assertThat(llama.supportsTools()).isTrue();
    assertThat(llama.writesToolCallTags()).isFalse();
    assertThat(llama.requiresObjectArguments()).isTrue();
    assertThat(writesArgumentsAsGiven.supportsTools()).isTrue();
    assertThat(writesArgumentsAsGiven.requiresObjectArguments()).isFalse();
    assertThat(template("tinyllama-zephyr").requiresObjectArguments()).isFalse(); // no tools
  }

  @Test
  void qwen25_assistantToolCallAndToolResult_renderAsToolCallAndToolResponse() {
    Map<String, Object> call =
        Map.of(
            "role",
            "assistant",
            "content",
            "",
            "tool_calls",
            List.of(
                Map.of(
                    "id",
                    "call_1",
                    "type",
                    "function",
                    "function",
                    Map.of("name", "get_weather", "arguments", Map.of("city", "Paris")))));
    Map<String, Object> result =
        Map.of(
            "role",
            "tool",
            "tool_call_id",
            "call_1",
            "name",
            "get_weather",
            "content",
            "{\"temp_c\": 18}");

    String prompt =
        template("qwen2.5")
            .render(
                List.of(user("Weather in Paris?"), call, result),
                true,
                List.of(WEATHER_TOOL),
                Map.of());

    assertThat(prompt)
        .endsWith(
            "<|im_start|>user\n"
                + "Weather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n"
                + "<tool_call>\n"
                + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
                + "</tool_call><|im_end|>\n"
                + "<|im_start|>user\n"
                + "<tool_response>\n"
                + "{\"temp_c\": 18}\n"
                + "</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void qwen25_toolCallArgumentsAsJsonString_areQuotedByTojsonAsInPython() {
    Map<String, Object> call =
        Map.of(
            "role",
            "assistant",
            "content",
            "",
            "tool_calls",
            List.of(
                Map.of(
                    "type",
                    "function",
                    "function",
                    Map.of("name", "get_weather", "arguments", "{\"city\": \"Paris\"}"))));

    String prompt =
        template("qwen2.5").render(List.of(user("Weather?"), call), false, List.of(), Map.of());

    assertThat(prompt)
        .contains(
            "<tool_call>\n"
                + "{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}\n"
                + "</tool_call>");
  }

  @Test
  void llama32_writesTodaysDateFromStrftimeNowAndToolsIndented() {
    ChatTemplate llama =
        ChatTemplate.compile(source("llama-3.2"), "<|begin_of_text|>", "<|eot_id|>", DEC_1_2026);

    String plain = llama.render(List.of(user("Hi")), true, List.of(), Map.of());
    String withTools =
        llama.render(List.of(user("Weather in Paris?")), true, List.of(WEATHER_TOOL), Map.of());

    assertThat(plain)
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 01 Dec 2026\n\n"
                + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    assertThat(withTools)
        .contains("Environment: ipython\n")
        .contains(
            "{\n"
                + "    \"type\": \"function\",\n"
                + "    \"function\": {\n"
                + "        \"name\": \"get_weather\",\n")
        .contains("\"description\": \"City name, e.g. Zürich\"\n")
        .contains("\"required\": [\n                \"city\"\n            ]\n");
  }

  @Test
  void llama32_dateStringInExtraContext_winsOverTheClock() {
    ChatTemplate llama = ChatTemplate.compile(source("llama-3.2"), "", "", DEC_1_2026);

    String prompt =
        llama.render(List.of(user("Hi")), true, List.of(), Map.of("date_string", "24 Dec 2026"));

    assertThat(prompt).contains("Today Date: 24 Dec 2026\n");
  }

  @Test
  void mistral_alternatingRoles_renderAsInstBlocks() {
    ChatTemplate mistral = ChatTemplate.compile(source("mistral-7b-instruct-v0.2"), "<s>", "</s>");

    String prompt =
        mistral.render(
            List.of(user("Hi"), assistant("Hello!"), user("And?")), true, List.of(), Map.of());

    assertThat(prompt).isEqualTo("<s>[INST] Hi [/INST]Hello!</s>[INST] And? [/INST]");
  }

  @Test
  void mistral_nonAlternatingRoles_raiseTheTemplatesOwnMessage() {
    ChatTemplate mistral = ChatTemplate.compile(source("mistral-7b-instruct-v0.2"), "<s>", "</s>");

    assertThatThrownBy(
            () -> mistral.render(List.of(user("Hi"), user("Again")), true, List.of(), Map.of()))
        .isInstanceOfSatisfying(
            ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.RAISED))
        .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
  }

  @Test
  void gemma2_hasNoSystemRole_andRendersModelTurns() {
    ChatTemplate gemma = ChatTemplate.compile(source("gemma-2"), "<bos>", "<eos>");

    assertThat(gemma.supportsSystemRole()).isFalse();
    assertThat(gemma.supportsTools()).isFalse();
    assertThat(
            gemma.render(
                List.of(user(" Hi "), assistant("Hello!"), user("And?")),
                true,
                List.of(),
                Map.of()))
        .isEqualTo(
            "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
                + "<start_of_turn>user\nAnd?<end_of_turn>\n<start_of_turn>model\n");
    assertThatThrownBy(
            () -> gemma.render(List.of(system("Be brief."), user("Hi")), true, List.of(), Map.of()))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("System role not supported");
  }

  @Test
  void phi35_rendersTagsAndEndsWithEosWithoutGenerationPrompt() {
    ChatTemplate phi = ChatTemplate.compile(source("phi-3.5"), "<s>", "<|endoftext|>");

    assertThat(phi.supportsSystemRole()).isTrue();
    assertThat(phi.render(List.of(system("Be brief."), user("Hi")), true, List.of(), Map.of()))
        .isEqualTo("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n");
    assertThat(phi.render(List.of(user("Hi"), assistant("Hello!")), false, List.of(), Map.of()))
        .isEqualTo("<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|endoftext|>");
  }

  @Test
  void tinyLlamaZephyr_trimBlocksDropTheNewlinesAfterTags() {
    ChatTemplate zephyr = ChatTemplate.compile(source("tinyllama-zephyr"), "<s>", "</s>");

    assertThat(zephyr.render(List.of(system("Be brief."), user("Hi")), true, List.of(), Map.of()))
        .isEqualTo("<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\n");
    assertThat(zephyr.render(List.of(user("Hi")), false, List.of(), Map.of()))
        .isEqualTo("<|user|>\nHi</s>\n");
  }

  @Test
  void shippedModel_ownTemplateFromTheGguf_joinsLinesAndEndsASentenceWithNewline() {
    GgufHeader header = GgufHeader.read(Path.of("..", "models", "inferd-kjv-5m.gguf"));
    ChatTemplate kjv = ChatTemplate.compile(header.chatTemplate().orElseThrow(), "", "");

    assertThat(
            kjv.render(
                List.of(system("In the beginning."), user("And God said ")),
                true,
                List.of(),
                Map.of()))
        .isEqualTo("In the beginning.\nAnd God said");
    assertThat(kjv.render(List.of(user("Let there be light.")), true, List.of(), Map.of()))
        .isEqualTo("Let there be light.\n");
    assertThat(kjv.render(List.of(user("Let there be light.")), false, List.of(), Map.of()))
        .isEqualTo("Let there be light.");
  }

  @Test
  void pythonStringAndDictMethods_behaveAsInPython() {
    ChatTemplate t =
        ChatTemplate.compile(
            "{{ '  a b  '.strip() }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'a,,b'.split(',') | length }}|{{"
                + " ' a  b '.split() | join('+') }}|{{ 'hello world'.title() }}|{{ 'Hi'.upper()"
                + " }}{{ 'Hi'.lower() }}|{{ 'abc'.startswith(('x', 'a')) }}|{{ 'aaa'.replace('a',"
                + " 'b', 2) }}|{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}{{ v }}{% endfor"
                + " %}|{{ {'a': 1}.get('z', 'd') }}|{{ messages[-1]['content'][-1:] }}|{{ not"
                + " messages is defined }}|{{ messages[1:] | length }}",
            "", "");

    assertThat(t.render(List.of(user("Hi!")), false, List.of(), Map.of()))
        .isEqualTo("a b|hixx|3|a+b|Hello World|HIhi|true|bba|a1b2|d|!|false|0");
  }

  @Test
  void syntaxError_failsAtCompileNamingTheProblem() {
    assertThatThrownBy(() -> ChatTemplate.compile("{% for m in messages %}{{ m.content }}", "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not parse")
        .hasMessageContaining("endfor");
    assertThatThrownBy(() -> ChatTemplate.compile("{{ messages[0]['content' }}", "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat template");
  }

  @Test
  void sandbox_refusesJavaMethodsFileIncludesAndRerendering() {
    for (String hostile :
        List.of(
            "{{ messages.getClass().forName('java.lang.Runtime') }}",
            "{{ messages[0].content.getBytes() }}",
            "{{ messages[0].content.toUpperCase() }}",
            "{% include 'logback-test.xml' %}",
            "{{ messages[0].content | render }}")) {
      assertThatThrownBy(() -> ChatTemplate.compile(hostile, "", ""))
          .as(hostile)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void template_cannotChangeTheCallersMessages() {
    ChatTemplate t =
        ChatTemplate.compile(
            "{% set m = messages[0] %}{% if messages|length > 1 %}{% set _ = m.update({'content':"
                + " 'x'}) %}{% endif %}{{ m.content }}",
            "", "");
    Map<String, Object> message = new LinkedHashMap<>(user("Hi"));

    assertThatThrownBy(() -> t.render(List.of(message, user("b")), false, List.of(), Map.of()))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("no method 'update'");
    assertThat(message).containsEntry("content", "Hi");
  }

  @Test
  void hostileTemplate_hugeRange_failsFastInsteadOfLooping() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> ChatTemplate.compile("{% for i in range(10**9) %}x{% endfor %}", "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasCauseInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("range()");
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }

  @Test
  void hostileTemplate_nestedLoopsAndOutputDoubling_stopAtTheirBudgets() {
    // Harmless for one message (so it compiles), hostile from the second on.
    ChatTemplate loops =
        ChatTemplate.compile(
            "{% if messages|length > 1 %}{% for i in range(100000) %}{% for j in range(100000) %}{%"
                + " endfor %}{% endfor %}{% endif %}ok",
            "", "");
    ChatTemplate doubling =
        ChatTemplate.compile(
            "{% set ns = namespace(s='xxxxxxxx') %}{% if messages|length > 1 %}{% for i in"
                + " range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{% endif %}{{ ns.s }}",
            "", "");
    List<Map<String, Object>> two = List.of(user("a"), user("b"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> loops.render(two, true, List.of(), Map.of()))
        .isInstanceOfSatisfying(
            ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
    assertThatThrownBy(() -> doubling.render(two, true, List.of(), Map.of()))
        .isInstanceOf(ChatTemplateException.class);
    assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
  }

  @Test
  void hostileTemplate_unboundedMacroRecursion_endsWithAnException() {
    ChatTemplate recursive =
        ChatTemplate.compile(
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{% if messages|length > 1 %}{{ f(0) }}{%"
                + " endif %}ok",
            "", "");

    assertThatThrownBy(
            () -> recursive.render(List.of(user("a"), user("b")), true, List.of(), Map.of()))
        .isInstanceOf(ChatTemplateException.class);
  }

  @Test
  void hostileMessages_areDataNeverTemplateCode() {
    ChatTemplate qwen = template("qwen2.5");
    String odd = "{{ 7*7 }} {% raise_exception('x') %} {# c #} \u0000 \u202e RTL 𝔘𝔫𝔦 👩‍👩‍👧 ";

    String prompt = qwen.render(List.of(system("s"), user(odd)), true, List.of(), Map.of());

    assertThat(prompt).contains("<|im_start|>user\n" + odd + "<|im_end|>\n");
  }

  @Test
  void hostileMessages_hugeContentAndDeepNesting_failWithLimitNotMemoryOrStack() {
    ChatTemplate qwen = template("qwen2.5");
    String big = "a".repeat((int) ChatTemplate.MAX_OUTPUT_CHARS + 1);
    Object deep = "leaf";
    for (int i = 0; i < 100_000; i++) {
      deep = List.of(deep);
    }
    Map<String, Object> call =
        Map.of(
            "role",
            "assistant",
            "tool_calls",
            List.of(
                Map.of(
                    "type",
                    "function",
                    "function",
                    Map.of("name", "f", "arguments", Map.of("x", deep)))));

    assertThatThrownBy(() -> qwen.render(List.of(user(big)), true, List.of(), Map.of()))
        .isInstanceOfSatisfying(
            ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
    assertThatThrownBy(() -> qwen.render(List.of(user("hi"), call), true, List.of(), Map.of()))
        .isInstanceOfSatisfying(
            ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
    assertThat(qwen.render(List.of(user("b".repeat(1_000_000))), true, List.of(), Map.of()))
        .hasSizeGreaterThan(1_000_000);
  }

  @Test
  void concurrentRenders_ofOneTemplate_giveEachCallersOwnPrompt() throws Exception {
    ChatTemplate qwen = template("qwen2.5");
    List<Thread> threads = new ArrayList<>();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      String text = "thread-" + t;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 50; i++) {
                      String out =
                          qwen.render(
                              List.of(system("s"), user(text + "-" + i)),
                              true,
                              List.of(),
                              Map.of());
                      if (!out.equals(
                          "<|im_start|>system\ns<|im_end|>\n<|im_start|>user\n"
                              + text
                              + "-"
                              + i
                              + "<|im_end|>\n<|im_start|>assistant\n")) {
                        failures.add(out);
                      }
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(failures).isEmpty();
  }

  private static ChatTemplate template(String name) {
    return ChatTemplate.compile(source(name), "<s>", "</s>", DEC_1_2026);
  }

  private static String source(String name) {
    try (InputStream in =
        ChatTemplateTest.class.getResourceAsStream("/templates/" + name + ".jinja")) {
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static Map<String, Object> system(String content) {
    return Map.of("role", "system", "content", content);
  }

  private static Map<String, Object> user(String content) {
    return Map.of("role", "user", "content", content);
  }

  private static Map<String, Object> assistant(String content) {
    return Map.of("role", "assistant", "content", content);
  }
}
