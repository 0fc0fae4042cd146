package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the grammar cannot express exactly is refused, naming where and which keyword. */
class UnsupportedSchemaTest {

  @ParameterizedTest(name = "{1} at \"{2}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {'type':'object','properties':{'name':{'type':'string','pattern':'^a'}}} | pattern | /properties/name
          {'type':'string','format':'email'}                                     | format | ''
          {'type':'object','patternProperties':{'^x':{}}}                        | patternProperties | ''
          {'type':'object','propertyNames':{'maxLength':3}}                      | propertyNames | ''
          {'type':'object','minProperties':1}                                    | minProperties | ''
          {'type':'object','maxProperties':1}                                    | maxProperties | ''
          {'type':'object','dependentRequired':{'a':['b']}}                      | dependentRequired | ''
          {'if':{'type':'string'},'then':{'maxLength':1}}                        | if | ''
          {'not':{'type':'string'}}                                              | not | ''
          {'type':'integer','multipleOf':2}                                      | multipleOf | ''
          {'type':'array','uniqueItems':true}                                    | uniqueItems | ''
          {'type':'array','contains':{'type':'integer'}}                         | contains | ''
          {'type':'array','prefixItems':[{'type':'integer'}]}                    | prefixItems | ''
          {'type':'array','items':[{'type':'integer'}]}                          | items | ''
          {'type':'object','unevaluatedProperties':false}                        | unevaluatedProperties | ''
          {'allOf':[{'type':'object'},{'required':['a']}]}                       | allOf | ''
          {'$ref':'other.json#/a'}                                               | $ref | ''
          {'$ref':'#/$defs/missing'}                                             | $ref | ''
          {'$ref':'#/$defs/a','maxLength':2,'$defs':{'a':{'type':'string'}}}     | maxLength | ''
          {'type':'number','minimum':0.5}                                        | minimum | ''
          {'type':'number','maximum':1,'exclusiveMaximum':true}                  | exclusiveMaximum | ''
          {'type':'integer','minimum':1e40}                                      | minimum | ''
          {'type':'string','minLength':5,'maxLength':2}                          | maxLength | ''
          {'type':'integer','minimum':5,'maximum':4}                             | maximum | ''
          {'type':'string','enum':['a'],'maxLength':3}                           | maxLength | ''
          {'type':'integer','enum':['a']}                                        | enum | ''
          {'type':'date'}                                                        | type | ''
          {'type':'string','nullable':true}                                      | nullable | ''
          {'properties':{'a':{'$id':'x'}}}                                       | $id | /properties/a
          {'type':'array','items':{'type':'object','properties':{'d':{'format':'hostname'}}}} | format | /items/properties/d
          {'$defs':{'x':{'type':'string','pattern':'a'}},'$ref':'#/$defs/x'}     | pattern | /$defs/x
          {'oneOf':[{'type':'object'},{'type':'object','required':['a']}]}       | oneOf | ''
          {'type':'string','format':'date','maxLength':10}                       | maxLength | ''
          {'type':'array','maxItems':-1}                                         | maxItems | ''
          {'type':'object','properties':{'a':{}},'additionalProperties':{'type':'string'}} | additionalProperties | ''
          """)
  void keywordIsNamed(String schema, String keyword, String path) {
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(j(schema)))
        .isInstanceOfSatisfying(
            UnsupportedSchemaException.class,
            e -> {
              assertThat(e.keyword()).contains(keyword);
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.getMessage())
                  .startsWith(
                      "schema at "
                          + (path.isEmpty() ? "(root)" : path)
                          + ": keyword \""
                          + keyword
                          + "\"");
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {'type':'object','properties':{'a':false}} | /properties/a | allows no value
          {'type':'array','items':'x'}               | /items         | must be an object or a boolean
          """)
  void unsatisfiableOrMalformedSchemas_sayWhere(String schema, String path, String message) {
    assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(j(schema)))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageStartingWith("schema at " + path + ": ")
        .hasMessageContaining(message.strip());
  }
}
