package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.Sampling;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.testing.SharedModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grammars through llama.cpp itself (inferd's own engine and build): its GBNF parser takes
 * them, and a real model sampled under them (stories260K, temperature 1) writes documents that
 * parse and validate. Skipped where ../shared/models is absent.
 */
class LlamaCppGrammarTest {
  private static LlamaGenerator model;

  @BeforeAll
  static void load() {
    Optional<Path> file = SharedModels.stories260k();
    assumeTrue(file.isPresent(), "../shared/models/stories260K.gguf not present");
    model = LlamaGenerator.load(file.get(), new LlamaOptions(2, 1, 0));
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  private static String sample(String gbnf, int seed) {
    Prompt prompt = model.raw("Once upon a time, ");
    Sampling sampling = new Sampling(1.0f, 1f, OptionalInt.of(seed)).withGrammar(gbnf);
    int room = model.contextLength() - prompt.tokenCount() - 1;
    return model.generate(new GenerationRequest(prompt, room, sampling), t -> true).text();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'type':'object','properties':{'name':{'type':'string','maxLength':12},'age':{'type':'integer',"
            + "'minimum':0,'maximum':130},'mood':{'enum':['happy','sad','sleepy']},'tags':{'type':'array',"
            + "'items':{'type':'string','minLength':1,'maxLength':6},'maxItems':3}},'required':['name','age'],"
            + "'additionalProperties':false}",
        "{'type':'array','items':{'type':'number','minimum':-3,'exclusiveMaximum':2},'minItems':2,'maxItems':4}",
        "{'type':'object','properties':{'when':{'type':'string','format':'date-time'},"
            + "'day':{'type':'string','format':'date'},'id':{'type':'string','format':'uuid'}},"
            + "'required':['when','day','id'],'additionalProperties':false}",
        "{'oneOf':[{'type':'object','properties':{'kind':{'const':'circle'},'r':{'type':'integer','minimum':1,"
            + "'maximum':9}},'required':['kind','r'],'additionalProperties':false},{'type':'object','properties':"
            + "{'kind':{'const':'square'},'side':{'type':'boolean'}},'required':['kind','side'],"
            + "'additionalProperties':false}]}",
        "{'type':['string','null'],'minLength':40,'maxLength':45}",
        "{'$defs':{'n':{'type':'object','properties':{'v':{'type':'integer','minimum':1,'maximum':9},"
            + "'kids':{'type':'array','items':{'$ref':'#/$defs/n'},'maxItems':1}},'required':['v'],"
            + "'additionalProperties':false}},'type':'object','properties':{'root':{'$ref':'#/$defs/n'}},"
            + "'required':['root'],'additionalProperties':false}",
      })
  void sampledOutput_parsesAndValidates(String schema) {
    SchemaOracle o = SchemaOracle.of(j(schema));
    for (int seed = 1; seed <= 3; seed++) {
      String out = sample(o.grammar, seed);
      assertThat(o.schemaAccepts(out)).as("seed %d wrote %s", seed, out).isTrue();
      assertThat(o.grammarAccepts(out)).as("seed %d wrote %s", seed, out).isTrue();
    }
  }

  @Test
  void forcedToolCalls_parseBackToKnownToolsWithValidArguments() {
    // A bounded location: a tiny model left in an unbounded string may not close it within the
    // budget.
    String weatherSchema =
        ToolCallGrammarTest.WEATHER.replace(
            "'minLength':1".replace('\'', '"'), "\"minLength\":1,\"maxLength\":24");
    List<ToolDefinition> tools =
        List.of(
            new ToolDefinition("get_weather", "", weatherSchema),
            new ToolDefinition("add", "", ToolCallGrammarTest.ADD));
    String gbnf = ToolCallGrammar.grammar(tools, Optional.empty(), false, Wrapping.TOOL_CALL_TAGS);
    SchemaOracle weather = SchemaOracle.of(weatherSchema, gbnf);
    for (int seed = 1; seed <= 3; seed++) {
      String out = sample(gbnf, seed);
      assertThat(GbnfRecognizer.parse(gbnf).accepts(out)).as(out).isTrue();
      List<ToolCall> calls = ToolCalls.parse(out);
      assertThat(calls).as(out).isNotEmpty();
      for (ToolCall call : calls) {
        assertThat(call.name()).isIn("get_weather", "add");
        if (call.name().equals("add")) {
          assertThat(call.argumentsJson()).matches("\\{\"a\":-?\\d+,\"b\":-?\\d+\\}");
        } else {
          assertThat(weather.schemaAccepts(call.argumentsJson())).as(call.argumentsJson()).isTrue();
        }
      }
    }
  }

  @Test
  void anyJsonObject_isAcceptedByLlamaCpp_andStartsAnObject() {
    String out = sample(JsonSchemaGrammar.anyJsonObject(), 1);
    assertThat(out).startsWith("{");
  }
}
