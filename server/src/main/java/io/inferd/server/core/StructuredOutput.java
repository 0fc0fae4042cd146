package io.inferd.server.core;

import io.inferd.engine.grammar.JsonSchemaGrammar;

/** The one place that turns JSON output requests into GBNF (io.inferd.engine.grammar). */
final class StructuredOutput {
  private StructuredOutput() {}

  /**
   * GBNF for a JSON Schema; a schema keyword the grammar cannot express, or text that is not JSON,
   * is a 400 naming the field (and the compiler's message names the keyword).
   */
  static String fromSchema(String field, String schemaJson) {
    try {
      return JsonSchemaGrammar.fromSchema(schemaJson);
    } catch (IllegalArgumentException unsupported) { // UnsupportedSchemaException included
      throw new InvalidRequestException(field + ": " + unsupported.getMessage());
    }
  }

  /** GBNF for any JSON object. */
  static String anyJsonObject(String field) {
    return JsonSchemaGrammar.anyJsonObject();
  }
}
