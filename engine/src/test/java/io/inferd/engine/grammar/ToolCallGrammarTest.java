package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.ToolDefinition;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolCallGrammarTest {
  static final String WEATHER =
      j(
          "{'type':'object','properties':{'location':{'type':'string','minLength':1},"
              + "'unit':{'enum':['celsius','fahrenheit']}},'required':['location'],"
              + "'additionalProperties':false}");
  static final String ADD =
      j(
          "{'type':'object','properties':{'a':{'type':'integer'},'b':{'type':'integer'}},"
              + "'required':['a','b'],'additionalProperties':false}");
  static final List<ToolDefinition> TOOLS =
      List.of(
          new ToolDefinition("get_weather", "Weather at a place", WEATHER),
          new ToolDefinition("add", "Adds two integers", ADD),
          new ToolDefinition("ping", "No arguments", ""));

  /** The JSON Schema a single call must satisfy, to check the grammar against a validator. */
  static String callSchema(List<ToolDefinition> tools) {
    StringBuilder sb = new StringBuilder("{\"oneOf\":[");
    for (int i = 0; i < tools.size(); i++) {
      ToolDefinition t = tools.get(i);
      String args =
          t.parametersJsonSchema().isBlank() ? "{\"type\":\"object\"}" : t.parametersJsonSchema();
      sb.append(i == 0 ? "" : ",")
          .append("{\"type\":\"object\",\"properties\":{\"name\":{\"const\":")
          .append(Json.quote(t.name()))
          .append("},\"arguments\":")
          .append(args)
          .append("},\"required\":[\"name\",\"arguments\"],\"additionalProperties\":false}");
    }
    return sb.append("]}").toString();
  }

  static final List<String> VALID_CALLS =
      List.of(
          j("{'name':'get_weather','arguments':{'location':'Paris'}}"),
          j("{'name': 'get_weather', 'arguments': {'location': 'Oslo', 'unit': 'celsius'}}"),
          j("{\n  'name': 'add',\n  'arguments': {'a': 1, 'b': -2}\n}"),
          j("{'name':'ping','arguments':{}}"),
          j("{'name':'ping','arguments':{'anything':[1,2]}}"));
  static final List<String> INVALID_CALLS =
      List.of(
          j("{'name':'get_time','arguments':{}}"),
          j("{'name':'add','arguments':{'location':'Paris'}}"),
          j("{'name':'add','arguments':{'a':1}}"),
          j("{'name':'get_weather','arguments':{'location':''}}"),
          j("{'name':'get_weather','arguments':{'location':'x','unit':'kelvin'}}"),
          j("{'name':'get_weather'}"),
          j("{'name':'ping','arguments':[]}"));

  @Test
  void required_acceptsACallToAnyToolWithValidArguments_asTheValidatorDoes() {
    var o = SchemaOracle.of(callSchema(TOOLS), ToolCallGrammar.required(TOOLS));
    for (String doc : VALID_CALLS) {
      assertThat(o.schemaAccepts(doc)).as(doc).isTrue();
      assertThat(o.grammarAccepts(doc)).as("%s in\n%s", doc, o.grammar).isTrue();
      assertThat(ToolCalls.parse(doc)).hasSize(1);
    }
    for (String doc : INVALID_CALLS) {
      assertThat(o.grammarAccepts(doc)).as(doc).isFalse();
      assertThat(o.schemaAccepts(doc)).as(doc).isFalse();
    }
    assertThat(o.grammarAccepts(j("{'arguments':{'a':1,'b':2},'name':'add'}")))
        .as("name comes first")
        .isFalse();
  }

  @Test
  void named_acceptsOnlyThatTool() {
    var r = GbnfRecognizer.parse(ToolCallGrammar.named(TOOLS, "add"));
    assertThat(r.accepts(j("{'name':'add','arguments':{'a':1,'b':2}}"))).isTrue();
    assertThat(r.accepts(j("{'name':'get_weather','arguments':{'location':'Paris'}}"))).isFalse();
  }

  @Test
  void parallel_isAnArrayOfOneToEightCalls() {
    var r =
        GbnfRecognizer.parse(ToolCallGrammar.grammar(TOOLS, Optional.empty(), true, Wrapping.NONE));
    String call = j("{'name':'ping','arguments':{}}");
    assertThat(r.accepts("[" + call + "]")).isTrue();
    assertThat(r.accepts("[" + String.join(", ", Collections.nCopies(8, call)) + "]")).isTrue();
    assertThat(r.accepts("[" + String.join(",", Collections.nCopies(9, call)) + "]")).isFalse();
    assertThat(r.accepts("[]")).isFalse();
    assertThat(r.accepts(call)).isFalse();
  }

  @Test
  void toolCallTags_wrapEachCall_andParseBack() {
    var single =
        GbnfRecognizer.parse(
            ToolCallGrammar.grammar(TOOLS, Optional.empty(), false, Wrapping.TOOL_CALL_TAGS));
    String weather = j("{'name':'get_weather','arguments':{'location':'Paris'}}");
    String add = j("{'name':'add','arguments':{'a':1,'b':2}}");
    assertThat(single.accepts("<tool_call>\n" + weather + "\n</tool_call>")).isTrue();
    assertThat(single.accepts(weather)).isFalse();
    var parallel =
        GbnfRecognizer.parse(
            ToolCallGrammar.grammar(TOOLS, Optional.empty(), true, Wrapping.TOOL_CALL_TAGS));
    String two =
        "<tool_call>\n" + weather + "\n</tool_call>\n<tool_call>\n" + add + "\n</tool_call>";
    assertThat(parallel.accepts(two)).isTrue();
    assertThat(ToolCalls.parse(two))
        .containsExactly(
            new ToolCall("get_weather", j("{'location':'Paris'}")),
            new ToolCall("add", j("{'a':1,'b':2}")));
  }

  @Test
  void badToolsOrChoice_areRejectedSayingWhat() {
    assertThatThrownBy(() -> ToolCallGrammar.named(TOOLS, "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tool_choice: \"nope\"");
    assertThatThrownBy(() -> ToolCallGrammar.required(List.of()))
        .hasMessageContaining("tools: empty");
    assertThatThrownBy(() -> ToolCallGrammar.required(List.of(TOOLS.get(1), TOOLS.get(1))))
        .hasMessageContaining("\"add\" appears twice");
    var bad =
        new ToolDefinition(
            "lookup",
            "",
            j("{'type':'object','properties':{'q':{'type':'string','pattern':'x'}}}"));
    assertThatThrownBy(() -> ToolCallGrammar.required(List.of(TOOLS.get(0), bad)))
        .isInstanceOfSatisfying(
            UnsupportedSchemaException.class, e -> assertThat(e.keyword()).contains("pattern"))
        .hasMessage(
            "tool \"lookup\" parameters: schema at /properties/q: keyword \"pattern\" is not"
                + " supported");
    assertThatThrownBy(
            () -> ToolCallGrammar.required(List.of(new ToolDefinition("x", "", "{oops"))))
        .hasMessageStartingWith("tool \"x\" parameters: the JSON schema is not valid JSON");
  }

  @Test
  void toolsWithSameShapedSchemas_keepTheirOwnRules() {
    var tools =
        List.of(
            new ToolDefinition(
                "a.b",
                "",
                j(
                    "{'type':'object','properties':{'x':{'type':'integer','maximum':1}},'required':['x']}")),
            new ToolDefinition(
                "a_b",
                "",
                j("{'type':'object','properties':{'x':{'type':'string'}},'required':['x']}")));
    var o = SchemaOracle.of(callSchema(tools), ToolCallGrammar.required(tools));
    for (String doc :
        List.of(
            j("{'name':'a.b','arguments':{'x':1}}"), j("{'name':'a_b','arguments':{'x':'1'}}"))) {
      assertThat(o.grammarAccepts(doc)).as(doc).isTrue();
      assertThat(o.schemaAccepts(doc)).as(doc).isTrue();
    }
    for (String doc :
        List.of(
            j("{'name':'a.b','arguments':{'x':'1'}}"), j("{'name':'a_b','arguments':{'x':1}}"))) {
      assertThat(o.grammarAccepts(doc)).as(doc).isFalse();
      assertThat(o.schemaAccepts(doc)).as(doc).isFalse();
    }
  }
}
