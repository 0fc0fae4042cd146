package io.inferd.server.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The one place that turns JSON output requests into GBNF, through io.inferd.engine.grammar's
 * JsonSchemaGrammar. That package is being written in parallel; it is looked up at run time so this
 * branch builds before it lands. Once it is on main, replace the look-up with direct calls.
 */
final class StructuredOutput {
  private static final String GRAMMAR_CLASS = "io.inferd.engine.grammar.JsonSchemaGrammar";

  private StructuredOutput() {}

  /** GBNF for a JSON Schema; a schema keyword the compiler cannot express is a 400 naming it. */
  static String fromSchema(String field, String schemaJson) {
    return call(field, "fromSchema", schemaJson);
  }

  /** GBNF for any JSON object. */
  static String anyJsonObject(String field) {
    return call(field, "anyJsonObject", null);
  }

  private static String call(String field, String method, String argument) {
    Method m;
    try {
      Class<?> grammar = Class.forName(GRAMMAR_CLASS);
      m = argument == null ? grammar.getMethod(method) : grammar.getMethod(method, String.class);
    } catch (ReflectiveOperationException e) {
      throw new InvalidRequestException(
          field + ": this server has no JSON-schema grammar compiler (expected: a build with"
              + " io.inferd.engine.grammar)");
    }
    try {
      return (String) (argument == null ? m.invoke(null) : m.invoke(null, argument));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException unsupported) {
        // UnsupportedSchemaException names the keyword; an invalid schema says what is wrong.
        throw new InvalidRequestException(field + ": " + unsupported.getMessage());
      }
      throw new IllegalStateException("JSON-schema grammar failed", e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
