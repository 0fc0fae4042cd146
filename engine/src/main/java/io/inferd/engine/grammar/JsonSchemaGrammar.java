package io.inferd.engine.grammar;

import static java.util.Objects.requireNonNull;

/**
 * JSON Schema to GBNF (llama.cpp's grammar format, root rule {@code root}), so that constrained
 * output always parses and validates against the schema.
 *
 * <p>Supported: {@code type} (a name or an array of names), {@code properties}, {@code required},
 * {@code additionalProperties} (false, true, or a schema when there are no properties), {@code
 * items}, {@code minItems}, {@code maxItems}, {@code enum}, {@code const}, {@code $ref} within the
 * document ({@code #/$defs/..}, {@code #/definitions/..}, recursion included), {@code anyOf},
 * {@code oneOf} (when its schemas provably cannot match the same value), a one-schema {@code
 * allOf}, {@code minLength}, {@code maxLength}, {@code format} date, date-time, time, uuid and
 * ipv4, {@code minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum} (any
 * value for integer, whole numbers for number), {@code uniqueItems: false}, and annotations (title,
 * description, default, examples, ...). Anything else throws {@link UnsupportedSchemaException}
 * naming the keyword and where it is.
 *
 * <p>The grammar may be narrower than the schema, never wider: properties are written in the order
 * the schema declares them (optional ones may be left out); only declared properties are written,
 * whatever {@code additionalProperties} says (OpenAI's strict mode requires false anyway), except
 * that an object schema without properties allows any object; enum and const values are written as
 * in the schema; numbers have at most {@value JsonRules#MAX_INT_DIGITS} integer digits unless a
 * bound needs more, at most {@value JsonRules#MAX_FRACTION_DIGITS} fraction digits, and no exponent
 * when bounded; between two tokens there is nothing, one space, or one line break and up to {@value
 * JsonRules#MAX_WS} spaces or tabs, so a model cannot loop on whitespace; "any value" nests at most
 * {@value JsonRules#ANY_DEPTH} levels; strings have no length limit unless the schema sets one.
 */
public final class JsonSchemaGrammar {
  private JsonSchemaGrammar() {}

  /**
   * The grammar for values valid against {@code jsonSchemaText}.
   *
   * @throws UnsupportedSchemaException if the schema uses what the grammar cannot express exactly,
   *     or the grammar would be too large
   * @throws IllegalArgumentException if the text is not JSON
   */
  public static String fromSchema(String jsonSchemaText) {
    requireNonNull(jsonSchemaText, "jsonSchemaText");
    GrammarBuilder g = new GrammarBuilder();
    String root = g.reserve("root");
    g.define(root, compile(g, jsonSchemaText, ""));
    return g.build();
  }

  /** The grammar for any JSON object (OpenAI's {@code response_format: json_object}). */
  public static String anyJsonObject() {
    GrammarBuilder g = new GrammarBuilder();
    String root = g.reserve("root");
    g.define(root, new JsonRules(g).anyObject(JsonRules.ANY_DEPTH));
    return g.build();
  }

  /**
   * Compiles a schema into {@code g} with rule names starting with {@code prefix}; returns its
   * rule.
   */
  static String compile(GrammarBuilder g, String jsonSchemaText, String prefix) {
    Object schema;
    try {
      schema = Json.parse(jsonSchemaText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the JSON schema is not valid JSON: " + e.getMessage(), e);
    }
    return new SchemaCompiler(schema, g, prefix).compileRoot();
  }
}
