package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ToolCallsTest {

  @Test
  void bareCall_andArrayOfCalls() {
    assertThat(ToolCalls.parse(j("  {'name': 'add', 'arguments': {'a': 1, 'b': 2.50}}\n")))
        .containsExactly(new ToolCall("add", j("{'a':1,'b':2.50}")));
    assertThat(
            ToolCalls.parse(
                j("[{'name':'a','arguments':{}},{'name':'b','arguments':{'x':[null]}}]")))
        .containsExactly(new ToolCall("a", "{}"), new ToolCall("b", j("{'x':[null]}")));
  }

  @Test
  void taggedCalls_withTextAround_andAMissingLastCloseTag() {
    String out =
        j(
            "Let me check.\n"
                + "<tool_call>\n"
                + "{'name': 'get_weather', 'arguments': {'location': 'Paris'}}\n"
                + "</tool_call>\n"
                + "<tool_call>\n"
                + "{'name': 'add', 'arguments': {'a': 1, 'b': 2}}");
    assertThat(ToolCalls.parse(out))
        .containsExactly(
            new ToolCall("get_weather", j("{'location':'Paris'}")),
            new ToolCall("add", j("{'a':1,'b':2}")));
    assertThat(ToolCalls.contentOutside(out)).isEqualTo("Let me check.");
  }

  @Test
  void aCloseTagInsideAString_doesNotEndTheCall() {
    String out =
        j("<tool_call>{'name':'say','arguments':{'text':'a </tool_call> b'}}</tool_call> done");
    assertThat(ToolCalls.parse(out))
        .containsExactly(new ToolCall("say", j("{'text':'a </tool_call> b'}")));
    assertThat(ToolCalls.contentOutside(out)).isEqualTo("done");
  }

  @Test
  void parametersAndStringEncodedArguments_areRead() {
    assertThat(ToolCalls.parse(j("{'name':'f','parameters':{'q':'x'}}")))
        .containsExactly(new ToolCall("f", j("{'q':'x'}")));
    assertThat(ToolCalls.parse("{\"name\":\"f\",\"arguments\":\"{\\\"q\\\": \\\"\\\\u00e9\\\"}\"}"))
        .containsExactly(new ToolCall("f", j("{'q':'é'}")));
    assertThat(ToolCalls.parse(j("{'name':'f'}"))).containsExactly(new ToolCall("f", "{}"));
    assertThat(ToolCalls.parse("```json\n{\"name\":\"f\",\"arguments\":{}}\n```"))
        .containsExactly(new ToolCall("f", "{}"));
  }

  @Test
  void textThatIsNoCall_givesNoCalls() {
    assertThat(ToolCalls.parse("The weather is fine.")).isEmpty();
    assertThat(ToolCalls.parse(j("{'answer': 42}"))).isEmpty();
    assertThat(ToolCalls.parse(j("{'name': 'f', 'arguments': 3}"))).isEmpty();
    assertThat(ToolCalls.parse("{\"name\": \"f\", \"argu")).isEmpty();
    assertThat(ToolCalls.parse("[]")).isEmpty();
  }

  @Test
  void aTaggedBlockThatIsNoCall_isAnError() {
    assertThatThrownBy(() -> ToolCalls.parse("<tool_call>{\"name\": </tool_call>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tool call: invalid JSON");
    assertThatThrownBy(() -> ToolCalls.parse("<tool_call>{\"answer\": 1}</tool_call>"))
        .hasMessageStartingWith("tool call: expected {\"name\"");
    assertThatThrownBy(() -> ToolCalls.parse("<tool_call>{\"name\": \"f\"} trailing</tool_call>"))
        .hasMessageStartingWith("tool call: expected </tool_call>");
  }
}
