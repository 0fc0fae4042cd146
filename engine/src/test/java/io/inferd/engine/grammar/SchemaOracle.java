package io.inferd.engine.grammar;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

/** One schema seen two ways: through the generated grammar, and through a JSON Schema validator. */
final class SchemaOracle {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  final String schema;
  final String grammar;
  final GbnfRecognizer recognizer;
  private final JsonSchema validator;

  private SchemaOracle(String schema, String grammar) {
    this.schema = schema;
    this.grammar = grammar;
    this.recognizer = GbnfRecognizer.parse(grammar);
    this.validator = FACTORY.getSchema(schema, CONFIG);
  }

  static SchemaOracle of(String schema) {
    return new SchemaOracle(schema, JsonSchemaGrammar.fromSchema(schema));
  }

  /** For a grammar made elsewhere (tool calls) checked against a schema for the same documents. */
  static SchemaOracle of(String schema, String grammar) {
    return new SchemaOracle(schema, grammar);
  }

  boolean grammarAccepts(String doc) {
    return recognizer.accepts(doc);
  }

  boolean schemaAccepts(String doc) {
    JsonNode node;
    try {
      node = MAPPER.readTree(doc);
    } catch (Exception e) {
      return false;
    }
    if (node == null) {
      return false;
    }
    return validator.validate(node).isEmpty();
  }
}
