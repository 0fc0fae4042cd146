package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Schemas built to blow up a naive generator finish fast: a compact grammar or a clear refusal. */
@Timeout(60)
class HostileSchemaTest {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  @Test
  void hugeMaxLength_isExactInFewRules() {
    long start = THREADS.getCurrentThreadCpuTime();
    String grammar = JsonSchemaGrammar.fromSchema(j("{'type':'string','maxLength':1000000000}"));
    assertThat(Duration.ofNanos(THREADS.getCurrentThreadCpuTime() - start))
        .isLessThan(Duration.ofSeconds(1));
    assertThat(grammar.length()).isLessThan(5_000);
    GbnfRecognizer r = GbnfRecognizer.parse(grammar);
    assertThat(r.accepts("\"" + "y".repeat(5000) + "\"")).isTrue();
    var o = SchemaOracle.of(j("{'type':'string','minLength':1000000000}"));
    assertThat(o.grammar.length()).isLessThan(5_000);
    assertThat(o.grammarAccepts("\"" + "y".repeat(5000) + "\"")).isFalse();
  }

  @Test
  void hugeMaxItems_isCompact() {
    String grammar =
        JsonSchemaGrammar.fromSchema(
            j("{'type':'array','items':{'type':'integer'},'maxItems':2000000000}"));
    assertThat(grammar.length()).isLessThan(5_000);
    assertThat(GbnfRecognizer.parse(grammar).accepts("[1,2,3]")).isTrue();
  }

  @Test
  void tenThousandValueEnum_isCompactAndExact() {
    String values =
        IntStream.range(0, 10_000)
            .mapToObj(i -> "'value-" + i + "'")
            .collect(Collectors.joining(","));
    var o = SchemaOracle.of(j("{'enum':[" + values + "]}"));
    assertThat(o.grammar.length()).isLessThan(200_000);
    assertThat(o.grammarAccepts("\"value-9999\"")).isTrue();
    assertThat(o.grammarAccepts("\"value-0\"")).isTrue();
    assertThat(o.grammarAccepts("\"value-10000\"")).isFalse();
    assertThat(o.grammarAccepts("\"value-\"")).isFalse();
  }

  @Test
  void enumOfNestedPrefixes_staysFlatEnoughForParsers() {
    String values =
        IntStream.range(1, 1_000)
            .mapToObj(i -> "'" + "a".repeat(i) + "'")
            .collect(Collectors.joining(","));
    var r = GbnfRecognizer.parse(JsonSchemaGrammar.fromSchema(j("{'enum':[" + values + "]}")));
    assertThat(r.accepts("\"" + "a".repeat(999) + "\"")).isTrue();
    assertThat(r.accepts("\"" + "a".repeat(1000) + "\"")).isFalse();
    String more =
        IntStream.range(1, 3_000)
            .mapToObj(i -> "'" + "a".repeat(i) + "'")
            .collect(Collectors.joining(","));
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(j("{'enum':[" + more + "]}")))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("the grammar would exceed");
  }

  @Test
  void deepNesting_isRefusedClearly() {
    String deep = "{'type':'object','properties':{'a':".repeat(100) + "{}" + "}}".repeat(100);
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(j(deep)))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("nesting deeper than");
    String deeper = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(deeper))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void longRefChains_compileOneByOne_andRecursiveRefsStayLinear() {
    StringBuilder defs = new StringBuilder("{'$defs':{");
    for (int i = 0; i < 500; i++) {
      defs.append("'d").append(i).append("':{'$ref':'#/$defs/d").append(i + 1).append("'},");
    }
    defs.append("'d500':{'type':'integer'}},'$ref':'#/$defs/d0'}");
    var chain = SchemaOracle.of(j(defs.toString()));
    assertThat(chain.grammarAccepts("42")).isTrue();
    assertThat(chain.grammarAccepts("\"x\"")).isFalse();
    // Each definition refers to the next one twice: expanded naively this doubles 40 times.
    StringBuilder doubling = new StringBuilder("{'$defs':{");
    for (int i = 0; i < 40; i++) {
      doubling
          .append("'d")
          .append(i)
          .append("':{'type':'array','items':{'anyOf':[{'$ref':'#/$defs/d")
          .append(i + 1)
          .append("'},{'$ref':'#/$defs/d")
          .append(i + 1)
          .append("'}]}},");
    }
    doubling.append("'d40':{'type':'integer'}},'$ref':'#/$defs/d0'}");
    var o = SchemaOracle.of(j(doubling.toString()));
    assertThat(o.grammar.length()).isLessThan(20_000);
    String doc = "[".repeat(40) + "7" + "]".repeat(40);
    assertThat(o.grammarAccepts(doc)).isTrue();
    assertThat(o.schemaAccepts(doc)).isTrue();
  }

  @Test
  void everyHostileSchema_compilesOrIsRefusedFast() {
    String bigEnum =
        IntStream.range(0, 10_000).mapToObj(i -> "'v" + i + "'").collect(Collectors.joining(","));
    String manyProps =
        IntStream.range(0, 5_000)
            .mapToObj(i -> "'p" + i + "':{'type':'integer','minimum':" + i + "}")
            .collect(Collectors.joining(","));
    String manyBranches =
        IntStream.range(0, 5_000)
            .mapToObj(i -> "{'const':" + i + "}")
            .collect(Collectors.joining(","));
    for (String schema :
        List.of(
            "{'type':'string','minLength':999999999,'maxLength':2147483647}",
            "{'enum':[" + bigEnum + "]}",
            "{'type':'object','properties':{" + manyProps + "}}",
            "{'anyOf':[" + manyBranches + "]}",
            "{'type':'integer','minimum':-1e29,'maximum':1e29}",
            "{'type':'number','exclusiveMinimum':-1e29,'maximum':123456789012345678901234567}",
            "{'type':'array','items':{'type':'array','items':{'type':'string','maxLength':100000},"
                + "'maxItems':100000},'minItems':99999}")) {
      // CPU time, not wall time: the build machines are shared and often oversubscribed.
      long start = THREADS.getCurrentThreadCpuTime();
      String grammar = null;
      try {
        grammar = JsonSchemaGrammar.fromSchema(j(schema));
      } catch (UnsupportedSchemaException e) {
        assertThat(e.getMessage()).startsWith("schema at ");
      }
      assertThat(Duration.ofNanos(THREADS.getCurrentThreadCpuTime() - start))
          .as(schema.substring(0, Math.min(60, schema.length())))
          .isLessThan(Duration.ofSeconds(2));
      if (grammar != null) {
        GbnfRecognizer.parse(grammar);
      }
    }
  }

  @Test
  void refCyclesWithNoValueInBetween_areRefused() {
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(j("{'$ref':'#'}")))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("keyword \"$ref\" refers back to itself");
    assertThatThrownBy(
            () ->
                JsonSchemaGrammar.fromSchema(
                    j(
                        "{'$defs':{'a':{'anyOf':[{'$ref':'#/$defs/b'},{'type':'integer'}]},"
                            + "'b':{'allOf':[{'$ref':'#/$defs/a'}]}},'$ref':'#/$defs/a'}")))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("refers back to itself");
  }

  @Test
  void grammarOverTheSizeCap_isRefusedWithTheLimit() {
    String props =
        IntStream.range(0, 3_000)
            .mapToObj(
                i ->
                    "'p"
                        + i
                        + "':{'enum':["
                        + IntStream.range(0, 30)
                            .mapToObj(k -> "'v" + k + "-" + i + "x".repeat(20) + "'")
                            .collect(Collectors.joining(","))
                        + "]}")
            .collect(Collectors.joining(","));
    assertThatThrownBy(
            () -> JsonSchemaGrammar.fromSchema(j("{'type':'object','properties':{" + props + "}}")))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("the grammar would");
  }
}
