package io.inferd.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a choice's text is held back and read as tool calls ({@link ChoiceFilter} with tools). */
class ToolCallCaptureTest {
  private static final List<ToolDefinition> TOOLS =
      List.of(new ToolDefinition("get_weather", "", "{\"type\":\"object\"}"));

  private final List<String> texts = new ArrayList<>();

  private ChoiceFilter filter(List<String> stops, ToolUse use) {
    return new ChoiceFilter(
        0,
        stops,
        (index, text, tokens) -> {
          texts.add(text);
          return true;
        },
        false,
        use,
        16);
  }

  private static Completion.Choice run(ChoiceFilter f, String... pieces) {
    for (String piece : pieces) {
      f.onToken(GeneratedToken.of(piece, -1));
    }
    return f.finish(new Generation(String.join("", pieces), 5, pieces.length, FinishReason.STOP));
  }

  @Test
  void auto_withTags_textBeforeATagSplitAcrossTokensStreams_theCallIsHeldAndRead() {
    ChoiceFilter f = filter(List.of(), new ToolUse(TOOLS, false, true, Wrapping.TOOL_CALL_TAGS));
    Completion.Choice choice =
        run(
            f,
            "Let me look. <",
            "tool_",
            "call>\n{\"name\": \"get_weather\", ",
            "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");

    assertThat(String.join("", texts)).isEqualTo("Let me look. ");
    assertThat(texts.get(0)).isEqualTo("Let me look. "); // "<" held: it may start the tag
    assertThat(choice.generation().text()).isEqualTo("Let me look. ");
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(choice.toolCalls()).hasSize(1);
    Turn.ToolCall call = choice.toolCalls().get(0);
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.argumentsJson()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(call.id()).matches("call_[0-9a-f]{24}");
  }

  @Test
  void auto_withTags_aLessThanThatIsNotATag_isReleasedOnceDecided() {
    ChoiceFilter f = filter(List.of(), new ToolUse(TOOLS, false, true, Wrapping.TOOL_CALL_TAGS));
    Completion.Choice choice = run(f, "a <", "b> c");

    assertThat(texts).containsExactly("a ", "<b> c");
    assertThat(choice.generation().text()).isEqualTo("a <b> c");
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(choice.toolCalls()).isEmpty();
  }

  @Test
  void forced_bareJson_everythingIsHeld_twoCallsWhenParallel() {
    ChoiceFilter f = filter(List.of(), new ToolUse(TOOLS, true, true, Wrapping.NONE));
    Completion.Choice choice =
        run(
            f,
            "[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}},",
            " {\"name\": \"get_weather\", \"arguments\": {}}]");

    assertThat(texts).containsOnly("");
    assertThat(choice.generation().text()).isEmpty();
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(choice.toolCalls())
        .extracting(Turn.ToolCall::argumentsJson)
        .containsExactly("{\"city\":\"Rome\"}", "{}");
    assertThat(choice.toolCalls().get(0).id()).isNotEqualTo(choice.toolCalls().get(1).id());
  }

  @Test
  void notParallel_onlyTheFirstCallIsKept() {
    ChoiceFilter f = filter(List.of(), new ToolUse(TOOLS, false, false, Wrapping.TOOL_CALL_TAGS));
    Completion.Choice choice =
        run(
            f,
            "<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"n\": 1}}</tool_call>",
            "<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"n\": 2}}</tool_call>");

    assertThat(choice.toolCalls())
        .extracting(Turn.ToolCall::argumentsJson)
        .containsExactly("{\"n\":1}");
  }

  @Test
  void aCallCutShort_isSentAsText_withTheEnginesFinishReason() {
    ChoiceFilter f = filter(List.of(), new ToolUse(TOOLS, true, false, Wrapping.TOOL_CALL_TAGS));
    f.onToken(GeneratedToken.of("<tool_call>{\"name\": \"get_wea", -1));
    Completion.Choice choice =
        f.finish(new Generation("<tool_call>{\"name\": \"get_wea", 5, 1, FinishReason.LENGTH));

    assertThat(String.join("", texts)).isEqualTo("<tool_call>{\"name\": \"get_wea");
    assertThat(choice.generation().text()).isEqualTo("<tool_call>{\"name\": \"get_wea");
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(choice.toolCalls()).isEmpty();
  }

  @Test
  void stopSequencesApplyBeforeTheCallsAreRead() {
    ChoiceFilter f =
        filter(List.of("STOP"), new ToolUse(TOOLS, false, true, Wrapping.TOOL_CALL_TAGS));
    Completion.Choice choice =
        run(
            f,
            "<tool_call>{\"name\": \"get_weather\", \"arguments\": {}}</tool_call>",
            " trailing STOP never sent");

    assertThat(choice.generation().text()).isEqualTo("trailing");
    assertThat(choice.toolCalls()).hasSize(1);
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
  }

  @Test
  void withoutTools_textPassesAsBefore() {
    ChoiceFilter f = filter(List.of(), ToolUse.NONE);
    Completion.Choice choice = run(f, "<tool_call>{\"name\": \"get_weather\"}</tool_call>");

    assertThat(String.join("", texts))
        .isEqualTo("<tool_call>{\"name\": \"get_weather\"}</tool_call>");
    assertThat(choice.toolCalls()).isEmpty();
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void auto_bareJson_textStreamsAtOnce_aReplyThatStartsAsJsonIsHeldAndRead() {
    ChoiceFilter text = filter(List.of(), new ToolUse(TOOLS, false, true, Wrapping.NONE));
    Completion.Choice plain = run(text, " ", "Sunny", " today");
    assertThat(texts).containsExactly("", " Sunny", " today");
    assertThat(plain.toolCalls()).isEmpty();
    assertThat(plain.generation().text()).isEqualTo(" Sunny today");

    texts.clear();
    ChoiceFilter json = filter(List.of(), new ToolUse(TOOLS, false, true, Wrapping.NONE));
    Completion.Choice call =
        run(json, "\n{\"name\": \"get_weather\", ", "\"parameters\": {\"city\": \"Oslo\"}}");
    assertThat(texts).containsOnly("");
    assertThat(call.generation().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(call.toolCalls().get(0).argumentsJson()).isEqualTo("{\"city\":\"Oslo\"}");
  }
}
