package io.inferd.engine.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each construct: the grammar accepts what the validator accepts (written the way the grammar
 * writes it) and rejects what the validator rejects. Schemas use ' for " to stay readable.
 */
class JsonSchemaGrammarTest {

  static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /** Both accept every valid document and both reject every invalid one. */
  static SchemaOracle agree(String schema, List<String> valid, List<String> invalid) {
    SchemaOracle o = SchemaOracle.of(j(schema));
    for (String doc : valid) {
      assertThat(o.schemaAccepts(doc)).as("validator accepts %s", doc).isTrue();
      assertThat(o.grammarAccepts(doc)).as("grammar accepts %s in\n%s", doc, o.grammar).isTrue();
    }
    for (String doc : invalid) {
      assertThat(o.grammarAccepts(doc)).as("grammar rejects %s in\n%s", doc, o.grammar).isFalse();
      assertThat(o.schemaAccepts(doc)).as("validator rejects %s", doc).isFalse();
    }
    return o;
  }

  /** Valid documents the grammar deliberately never writes (documented narrowing). */
  static void narrower(SchemaOracle o, List<String> docs) {
    for (String doc : docs) {
      assertThat(o.schemaAccepts(doc)).as("validator accepts %s", doc).isTrue();
      assertThat(o.grammarAccepts(doc)).as("grammar does not write %s", doc).isFalse();
    }
  }

  @Test
  void object_requiredAndOptionalProperties_optionalOnesMayBeLeftOut() {
    var o =
        agree(
            "{'type':'object','properties':{'name':{'type':'string'},'age':{'type':'integer'},"
                + "'email':{'type':'string'}},'required':['name'],'additionalProperties':false}",
            List.of(
                j("{'name':'a'}"),
                j("{'name':'a','age':3}"),
                j("{'name':'a','email':'x'}"),
                j("{'name':'a','age':3,'email':'x'}"),
                j("{ 'name' : 'a' ,\n  'age': 3\n}")),
            List.of(
                "{}",
                j("{'age':3}"),
                j("{'name':1}"),
                j("{'name':'a','extra':1}"),
                j("{'name':'a',}"),
                j("{'name':'a'"),
                j("{'name':'a','age':3.5}")));
    narrower(o, List.of(j("{'age':3,'name':'a'}")));
  }

  @Test
  void object_allOptional_emptyObjectAndAnySubsetInOrder() {
    agree(
        "{'type':'object','properties':{'a':{'type':'integer'},'b':{'type':'integer'},"
            + "'c':{'type':'integer'}},'additionalProperties':false}",
        List.of("{}", j("{'b':1}"), j("{'a':1,'c':3}"), j("{'a':1,'b':2,'c':3}"), j("{'c':3}")),
        List.of(j("{'a':'x'}"), j("{,'a':1}"), j("{'a':1,,'b':2}"), j("{'d':1}")));
  }

  @Test
  void object_requiredAfterOptional_andAbsentAdditionalPropertiesWritesOnlyDeclared() {
    var o =
        agree(
            "{'type':'object','properties':{'x':{'type':'boolean'},'y':{'type':'null'},"
                + "'z':{'type':'string'}},'required':['z']}",
            List.of(j("{'z':''}"), j("{'x':true,'z':'q'}"), j("{'x':false,'y':null,'z':'q'}")),
            List.of(j("{'x':true}"), j("{'x':true,'y':null}"), j("{'y':1,'z':''}")));
    narrower(o, List.of(j("{'z':'','other':1}")));
  }

  @Test
  void object_nested_andPropertyNamesNeedingEscapes() {
    agree(
        "{'type':'object','properties':{'outer':{'type':'object','properties':{"
            + "'we\\'ird\\\\key':{'type':'integer'},'ключ':{'type':'string'}},"
            + "'required':['we\\'ird\\\\key','ключ']}},'required':['outer']}",
        List.of(j("{'outer':{'we\\'ird\\\\key':1,'ключ':'значение'}}")),
        List.of(j("{'outer':{'weird':1,'ключ':'x'}}"), j("{'outer':{'we\\'ird\\\\key':1}}")));
  }

  @Test
  void object_withoutProperties_isAnyObject_orAMapWhenAdditionalPropertiesIsASchema() {
    agree(
        "{'type':'object'}",
        List.of("{}", j("{'a':[1,{'b':null}],'c':'d'}")),
        List.of("[]", "1", j("'x'")));
    agree(
        "{'type':'object','additionalProperties':{'type':'integer','minimum':0}}",
        List.of("{}", j("{'a':1,'b':2}")),
        List.of(j("{'a':-1}"), j("{'a':'x'}")));
    agree(
        "{'type':'object','additionalProperties':false}",
        List.of("{}", "{ }"),
        List.of(j("{'a':1}")));
  }

  @Test
  void array_minAndMaxItems() {
    agree(
        "{'type':'array','items':{'type':'integer'},'minItems':1,'maxItems':3}",
        List.of("[1]", "[1,2,3]", "[ 1 , 2 ]"),
        List.of("[]", "[1,2,3,4]", "[1,\"a\"]", "[1,]", "[,1]"));
    agree("{'type':'array','maxItems':0}", List.of("[]"), List.of("[1]"));
    agree(
        "{'type':'array','items':{'type':'null'},'maxItems':1}",
        List.of("[]", "[null]"),
        List.of("[null,null]"));
    agree(
        "{'type':'array','items':{'type':'string'}}",
        List.of("[]", "[\"a\",\"b\"]"),
        List.of("[1]"));
  }

  @Test
  void array_largeBoundsAreExactThroughBlocks() {
    String schema = "{'type':'array','items':{'type':'integer'},'minItems':40,'maxItems':100}";
    List<String> valid = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (int n : new int[] {40, 41, 63, 64, 65, 96, 99, 100}) {
      valid.add(ones(n));
    }
    for (int n : new int[] {0, 1, 39, 101, 128}) {
      invalid.add(ones(n));
    }
    agree(schema, valid, invalid);
  }

  private static String ones(int n) {
    return "[" + String.join(",", java.util.Collections.nCopies(n, "1")) + "]";
  }

  @Test
  void enum_ofStrings_sharedPrefixesFactored() {
    var o =
        agree(
            "{'enum':['red','green','greenish','blue','a\\'q\\\\','😀']}",
            List.of(
                j("'red'"), j("'green'"), j("'greenish'"), j("'blue'"), j("'a\\'q\\\\'"), "\"😀\""),
            List.of(j("'gree'"), j("'Red'"), j("'greenishh'"), "1", j("'re'")));
    assertThat(o.grammar).contains("\"green\" (\"\\\"\" | \"ish\\\"\")");
  }

  @Test
  void enum_ofMixedValues_andTypeFiltersThem() {
    agree(
        "{'enum':[1,'a',null,true,{'k':[1,2]},2.5]}",
        List.of("1", j("'a'"), "null", "true", j("{'k':[1,2]}"), "2.5"),
        List.of("2", "false", j("{'k':[1]}"), j("'b'")));
    agree("{'type':'integer','enum':[1,'a',2]}", List.of("1", "2"), List.of(j("'a'")));
    agree("{'const':'fixed'}", List.of(j("'fixed'")), List.of(j("'fixe'"), j("'fixedd'")));
    agree("{'const':{'a':[true]}}", List.of(j("{'a':[true]}")), List.of(j("{'a':[false]}")));
  }

  @Test
  void ref_toDefsAndDefinitions_withRecursion() {
    agree(
        "{'$defs':{'node':{'type':'object','properties':{'value':{'type':'integer'},"
            + "'children':{'type':'array','items':{'$ref':'#/$defs/node'}}},"
            + "'required':['value'],'additionalProperties':false}},'$ref':'#/$defs/node'}",
        List.of(
            j("{'value':1}"),
            j("{'value':1,'children':[]}"),
            j("{'value':1,'children':[{'value':2,'children':[{'value':3}]},{'value':4}]}")),
        List.of(j("{'value':1,'children':[{}]}"), j("{'value':1,'children':[{'value':'x'}]}")));
    agree(
        "{'definitions':{'p':{'type':'string','maxLength':2}},'type':'object',"
            + "'properties':{'a':{'$ref':'#/definitions/p'},'b':{'$ref':'#/definitions/p'}},"
            + "'required':['a','b']}",
        List.of(j("{'a':'xy','b':''}")),
        List.of(j("{'a':'xyz','b':''}")));
    agree(
        "{'type':'object','properties':{'next':{'$ref':'#'}},'additionalProperties':false}",
        List.of("{}", j("{'next':{'next':{}}}")),
        List.of(j("{'next':1}")));
  }

  @Test
  void anyOf_isAlternation() {
    agree(
        "{'anyOf':[{'type':'string','maxLength':3},{'type':'integer','minimum':0,'maximum':9}]}",
        List.of(j("'abc'"), "5", "0", j("''")),
        List.of(j("'abcd'"), "10", "-1", "null"));
  }

  @Test
  void oneOf_disjointBranches_isAlternation_overlappingOnesAreRejected() {
    agree(
        "{'oneOf':[{'type':'string'},{'type':'integer'}]}",
        List.of(j("'x'"), "3"),
        List.of("true", "null"));
    agree(
        "{'oneOf':[{'type':'object','properties':{'kind':{'const':'a'},'x':{'type':'integer'}},"
            + "'required':['kind','x']},{'type':'object','properties':{'kind':{'const':'b'},"
            + "'y':{'type':'string'}},'required':['kind','y']}]}",
        List.of(j("{'kind':'a','x':1}"), j("{'kind':'b','y':'z'}")),
        List.of(j("{'kind':'a','y':'z'}"), j("{'kind':'c','x':1}")));
    assertThatThrownBy(
            () ->
                JsonSchemaGrammar.fromSchema(
                    j(
                        "{'oneOf':[{'type':'object','properties':{'k':{'const':1}},'required':['k']},"
                            + "{'type':'object','properties':{'k':{'const':1.0}},'required':['k']}]}")))
        .as("1 and 1.0 are the same value")
        .isInstanceOf(UnsupportedSchemaException.class);
    assertThatThrownBy(
            () ->
                JsonSchemaGrammar.fromSchema(j("{'oneOf':[{'type':'number'},{'type':'integer'}]}")))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("keyword \"oneOf\"");
  }

  @Test
  void string_lengthsCountCodePoints_escapesAreValidJson() {
    var o =
        agree(
            "{'type':'string','minLength':2,'maxLength':4}",
            List.of(
                j("'ab'"),
                j("'abcd'"),
                j("'a\\'b'"),
                j("'\\\\n'"),
                j("'éé'"),
                j("'😀😀'"),
                j("'\\ud83d\\ude00x'"),
                j("'\\u00e9\\n\\t/'"),
                j("'\\/\\b'")),
            List.of(
                j("'a'"), j("'abcde'"), "\"a\u0001b\"", j("'a\\xb'"), j("'ab"), "ab", j("'😀'")));
    narrower(o, List.of(j("'\\ud800ab'")));
  }

  @Test
  void string_largeMaxLengthIsExactAndCompact() {
    var o = SchemaOracle.of(j("{'type':'string','minLength':70,'maxLength':1000}"));
    for (int n : new int[] {70, 71, 500, 999, 1000}) {
      String doc = "\"" + "x".repeat(n) + "\"";
      assertThat(o.grammarAccepts(doc)).as("length %d", n).isTrue();
      assertThat(o.schemaAccepts(doc)).isTrue();
    }
    for (int n : new int[] {0, 69, 1001, 1024}) {
      String doc = "\"" + "x".repeat(n) + "\"";
      assertThat(o.grammarAccepts(doc)).as("length %d", n).isFalse();
      assertThat(o.schemaAccepts(doc)).isFalse();
    }
    assertThat(o.grammar.length()).isLessThan(3_000);
  }

  @Test
  void formats_dateDateTimeTimeUuid() {
    agree(
        "{'type':'string','format':'date'}",
        List.of(j("'2024-02-29'"), j("'2023-12-31'"), j("'2000-02-29'"), j("'1999-04-30'")),
        List.of(
            j("'2023-02-29'"),
            j("'1900-02-29'"),
            j("'2023-13-01'"),
            j("'2023-04-31'"),
            j("'2023-1-01'"),
            j("'2023-00-10'"),
            j("'2023-01-00'")));
    agree(
        "{'type':'string','format':'date-time'}",
        List.of(j("'2024-01-01T12:30:00Z'"), j("'2024-01-01T23:59:59.123+05:30'")),
        List.of(
            j("'2024-01-01T24:00:00Z'"), j("'2024-01-01T12:30Z'"), j("'2024-02-30T12:30:00Z'")));
    narrower(
        SchemaOracle.of(j("{'type':'string','format':'date-time'}")),
        List.of(j("'2024-01-01 12:30:00Z'")));
    agree(
        "{'type':'string','format':'time'}",
        List.of(j("'12:30:00Z'"), j("'00:00:00.5-08:00'")),
        List.of(j("'12:60:00Z'"), j("'25:00:00Z'")));
    agree(
        "{'type':'string','format':'uuid'}",
        List.of(j("'123e4567-e89b-12d3-a456-426614174000'")),
        List.of(
            j("'123e4567-e89b-12d3-a456-42661417400'"), j("'123e4567e89b12d3a456426614174000'")));
  }

  @Test
  void format_ipv4() {
    agree(
        "{'type':'string','format':'ipv4'}",
        List.of(j("'0.0.0.0'"), j("'255.255.255.255'"), j("'192.168.1.20'"), j("'10.0.99.249'")),
        List.of(j("'256.1.1.1'"), j("'1.2.3'"), j("'1.2.3.4.5'"), j("'1..2.3'"), j("'a.b.c.d'")));
  }

  @Test
  void integer_rangeIsExact_checkedOnEveryValueAround() {
    checkIntegers("{'type':'integer','minimum':-15,'maximum':123}", -200, 200);
    checkIntegers("{'type':'integer','exclusiveMinimum':-1,'exclusiveMaximum':1000}", -20, 1100);
    checkIntegers("{'type':'integer','minimum':7}", -10, 1200);
    checkIntegers("{'type':'integer','maximum':-7.5}", -150, 10);
    checkIntegers("{'type':'integer','minimum':99,'maximum':1001}", 0, 1100);
    checkIntegers("{'type':'integer','minimum':0,'maximum':999}", -20, 1100);
    checkIntegers("{'type':'integer','minimum':1,'maximum':9999}", -20, 10100);
    checkIntegers("{'type':'integer','minimum':10,'maximum':99999}", -20, 1100);
    checkIntegers("{'type':'integer','minimum':-99,'maximum':0}", -150, 20);
    var o = SchemaOracle.of(j("{'type':'integer','minimum':100000000000000000000}"));
    assertThat(o.grammarAccepts("100000000000000000000")).isTrue();
    assertThat(o.grammarAccepts("99999999999999999999")).isFalse();
    narrower(SchemaOracle.of(j("{'type':'integer'}")), List.of("1.0", "-0", "1e2"));
    agree("{'type':'integer'}", List.of("0", "-12", "987"), List.of("01", "1.5", "+1", "-"));
  }

  private static void checkIntegers(String schema, int from, int to) {
    var o = SchemaOracle.of(j(schema));
    for (int n = from; n <= to; n++) {
      String doc = Integer.toString(n);
      assertThat(o.grammarAccepts(doc)).as("%s on %s", schema, doc).isEqualTo(o.schemaAccepts(doc));
    }
  }

  @Test
  void number_wholeNumberBoundsAreExact() {
    checkDecimals("{'type':'number','minimum':0,'maximum':1}");
    checkDecimals("{'type':'number','exclusiveMinimum':0,'maximum':3}");
    checkDecimals("{'type':'number','minimum':-2,'exclusiveMaximum':2}");
    checkDecimals("{'type':'number','minimum':-5,'maximum':-2}");
    checkDecimals("{'type':'number','exclusiveMinimum':-3,'exclusiveMaximum':-1}");
    checkDecimals("{'type':'number','minimum':1}");
    checkDecimals("{'type':'number','exclusiveMaximum':0}");
    agree(
        "{'type':'number'}",
        List.of("0", "-1.5", "3e10", "2.25E-3", "100"),
        List.of("01", ".5", "1.", "-", "1e", "NaN"));
  }

  private static void checkDecimals(String schema) {
    var o = SchemaOracle.of(j(schema));
    for (int i = -28; i <= 28; i++) {
      for (String frac : new String[] {"", ".0", ".00", ".25", ".5", ".75", ".01", ".999"}) {
        String doc = (i < 0 ? "-" : "") + Math.abs(i) / 4 + frac;
        if (doc.equals("-0")
            || doc.startsWith("-0.0") && doc.chars().skip(1).allMatch(c -> c == '0' || c == '.')) {
          continue; // -0 equals 0; the grammar never writes it
        }
        assertThat(o.grammarAccepts(doc))
            .as("%s on %s", schema, doc)
            .isEqualTo(o.schemaAccepts(doc));
      }
    }
  }

  @Test
  void booleanNullAndTypeArrays() {
    agree("{'type':'boolean'}", List.of("true", "false"), List.of("1", "null", j("'true'")));
    agree("{'type':'null'}", List.of("null"), List.of("0", "nul"));
    agree(
        "{'type':['string','null'],'maxLength':1}",
        List.of(j("'a'"), "null", j("''")),
        List.of(j("'ab'"), "0"));
    agree("{'type':['integer','boolean'],'minimum':5}", List.of("5", "true"), List.of("4", "null"));
  }

  @Test
  void allOfWithOneSchema_andAnnotationsAreIgnored() {
    agree(
        "{'title':'T','description':'d','examples':[1],'default':2,'$comment':'c',"
            + "'allOf':[{'type':'integer','minimum':1,'maximum':2}]}",
        List.of("1", "2"),
        List.of("0", "3"));
  }

  @Test
  void whitespaceIsBounded() {
    var o =
        agree(
            "{'type':'array','items':{'type':'integer'}}",
            List.of("[\n" + " ".repeat(20) + "1]", "[ 1 ]", "[\n\t1,\n\t2\n]"),
            List.of());
    narrower(o, List.of("[\n" + " ".repeat(21) + "1]", "[  1]", "[\n\n1]", "[1]\n", "[ \n1]"));
  }

  @Test
  void anyJsonObject_acceptsObjectsToABoundedDepth() {
    var o = SchemaOracle.of(j("{'type':'object'}"), JsonSchemaGrammar.anyJsonObject());
    for (String doc :
        List.of("{}", j("{'a':1,'b':[true,null,{'c':'d'}],'e':-1.5e3}"), j("{ 'k' : { } }"))) {
      assertThat(o.grammarAccepts(doc)).as(doc).isTrue();
      assertThat(o.schemaAccepts(doc)).isTrue();
    }
    for (String doc : List.of("[]", "1", j("'s'"), j("{'a':}"), j("{'a':1,}"), "{")) {
      assertThat(o.grammarAccepts(doc)).as(doc).isFalse();
    }
    String deep = "{\"a\":".repeat(12) + "1" + "}".repeat(12);
    String tooDeep = "{\"a\":".repeat(13) + "1" + "}".repeat(13);
    assertThat(o.grammarAccepts(deep)).isTrue();
    assertThat(o.grammarAccepts(tooDeep)).isFalse();
  }

  @Test
  void invalidJsonText_saysSo() {
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema("{\"type\": "))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("not valid JSON");
  }
}
