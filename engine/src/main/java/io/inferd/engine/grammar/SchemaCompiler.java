package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.UnsupportedSchemaException.keyword;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one JSON Schema document into GBNF rules. Every keyword is either expressed exactly, or
 * rejected with {@link UnsupportedSchemaException}; where the grammar is narrower than the schema
 * (fixed property order, no undeclared properties, bounded digits, canonical enum spelling) every
 * output still validates.
 */
final class SchemaCompiler {
  /**
   * Schema nesting (objects within objects, not counting $ref) beyond which the schema is refused.
   */
  static final int MAX_DEPTH = 64;

  private static final Set<String> ANNOTATIONS =
      Set.of(
          "title",
          "description",
          "$comment",
          "examples",
          "default",
          "deprecated",
          "readOnly",
          "writeOnly",
          "$schema",
          "$id",
          "$defs",
          "definitions");
  private static final Set<String> SUPPORTED =
      Set.of(
          "type",
          "enum",
          "const",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "minItems",
          "maxItems",
          "minLength",
          "maxLength",
          "format",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "anyOf",
          "oneOf",
          "allOf",
          "$ref",
          "uniqueItems");
  private static final Set<String> TYPES =
      Set.of("null", "boolean", "object", "array", "number", "integer", "string");

  private final Object root;
  private final GrammarBuilder g;
  private final JsonRules json;
  private final ScalarSchemas scalars;
  private final String prefix;
  private final Map<String, String> refRules = new HashMap<>();
  private final java.util.ArrayDeque<String> pending = new java.util.ArrayDeque<>();
  private int depth;

  SchemaCompiler(Object root, GrammarBuilder g, String prefix) {
    this.root = root;
    this.g = g;
    this.json = new JsonRules(g);
    this.scalars = new ScalarSchemas(g, json);
    this.prefix = prefix;
  }

  /** The rule matching the document's root schema. */
  String compileRoot() {
    String rule = compile(root, "");
    // Referenced schemas compile one after another, not nested: a chain of $ref costs no stack.
    while (!pending.isEmpty()) {
      String pointer = pending.removeFirst();
      g.define(refRules.get(pointer), compile(resolve(pointer, pointer), pointer));
    }
    checkNoLeftRecursion();
    return rule;
  }

  /**
   * A $ref reached again through only $ref, allOf, anyOf and oneOf, with no value begun in between,
   * would be a left-recursive grammar (llama.cpp refuses it, and it describes no finite value).
   */
  private void checkNoLeftRecursion() {
    Map<String, List<String>> edges = new HashMap<>();
    for (String pointer : refRules.keySet()) {
      edges.put(pointer, leftRefs(resolve(pointer, pointer)));
    }
    Map<String, Integer> state = new HashMap<>(); // 1: on the current path, 2: done
    for (String start : edges.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
      // Iterative depth-first search: a long chain of $ref must not cost stack.
      java.util.ArrayDeque<java.util.Iterator<String>> path = new java.util.ArrayDeque<>();
      java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
      state.put(start, 1);
      path.push(edges.get(start).iterator());
      names.push(start);
      while (!path.isEmpty()) {
        if (!path.peek().hasNext()) {
          path.pop();
          state.put(names.pop(), 2);
          continue;
        }
        String next = path.peek().next();
        Integer st = state.get(next);
        if (st != null && st == 1) {
          throw keyword(next, "$ref", "refers back to itself with no value in between");
        }
        if (st == null && edges.containsKey(next)) {
          state.put(next, 1);
          path.push(edges.get(next).iterator());
          names.push(next);
        }
      }
    }
  }

  /** The pointers a schema may turn into before any character of a value is written. */
  private static List<String> leftRefs(Object schema) {
    List<String> out = new ArrayList<>();
    if (!(schema instanceof Map<?, ?> m)) {
      return out;
    }
    if (m.get("$ref") instanceof String ref && ref.startsWith("#")) {
      out.add(URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    for (String key : List.of("allOf", "anyOf", "oneOf")) {
      if (m.get(key) instanceof List<?> branches) {
        branches.forEach(b -> out.addAll(leftRefs(b)));
      }
    }
    return out;
  }

  String compile(Object schema, String path) {
    if (Boolean.TRUE.equals(schema)) {
      return json.anyValue(JsonRules.ANY_DEPTH);
    }
    if (Boolean.FALSE.equals(schema)) {
      throw new UnsupportedSchemaException(path, null, "the schema false allows no value");
    }
    if (!(schema instanceof Map<?, ?> raw)) {
      throw new UnsupportedSchemaException(path, null, "a schema must be an object or a boolean");
    }
    if (++depth > MAX_DEPTH) {
      throw new UnsupportedSchemaException(
          path, null, "nesting deeper than " + MAX_DEPTH + " schemas");
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) raw;
      String rule = compileObject(m, path);
      String over = g.overLimit();
      if (over != null) {
        throw new UnsupportedSchemaException(path, null, over);
      }
      return rule;
    } finally {
      depth--;
    }
  }

  private String compileObject(Map<String, Object> m, String path) {
    Set<String> validation = new LinkedHashSet<>();
    for (String key : m.keySet()) {
      if (key.equals("$id") && !path.isEmpty()) {
        throw keyword(path, key, "is only supported at the root");
      }
      if (key.equals("uniqueItems") && Boolean.TRUE.equals(m.get(key))) {
        throw keyword(path, key, "true is not supported");
      }
      if (!ANNOTATIONS.contains(key) && !SUPPORTED.contains(key)) {
        throw keyword(path, key);
      }
      if (SUPPORTED.contains(key) && !key.equals("uniqueItems")) {
        validation.add(key);
      }
    }
    for (String combinator : List.of("$ref", "allOf", "anyOf", "oneOf")) {
      if (validation.contains(combinator)) {
        for (String other : validation) {
          if (!other.equals(combinator)) {
            throw keyword(path, other, "together with \"" + combinator + "\" is not supported");
          }
        }
      }
    }
    if (m.get("$ref") instanceof String ref) {
      return ref(ref, path);
    }
    if (m.containsKey("$ref")) {
      throw keyword(path, "$ref", "must be a string");
    }
    if (m.containsKey("allOf")) {
      List<?> all = list(m, "allOf", path);
      if (all.size() != 1) {
        throw keyword(path, "allOf", "with more than one schema is not supported");
      }
      return compile(all.get(0), path + "/allOf/0");
    }
    if (m.containsKey("anyOf") || m.containsKey("oneOf")) {
      return alternatives(m, path);
    }
    if (m.containsKey("enum") || m.containsKey("const")) {
      return enumeration(m, validation, path);
    }
    List<String> types = types(m, path);
    List<String> alts = new ArrayList<>();
    for (String type : types) {
      alts.add(
          switch (type) {
            case "null" -> "\"null\"";
            case "boolean" -> g.rule("boolean", "\"true\" | \"false\"");
            case "string" -> scalars.string(m, path);
            case "integer" -> scalars.integer(m, path);
            case "number" -> scalars.number(m, path);
            case "object" -> object(m, path);
            case "array" -> array(m, path);
            default -> throw new IllegalStateException(type);
          });
    }
    if (alts.size() == 1 && !alts.get(0).startsWith("\"")) {
      return alts.get(0);
    }
    return g.rule(hint(path), String.join(" | ", alts));
  }

  /** The types to produce: as declared, else inferred from the keywords, else any value. */
  private List<String> types(Map<String, Object> m, String path) {
    Object type = m.get("type");
    List<String> types = new ArrayList<>();
    if (type instanceof String s) {
      types.add(s);
    } else if (type instanceof List<?> list) {
      for (Object t : list) {
        if (!(t instanceof String s)) {
          throw keyword(path, "type", "must list type names");
        }
        types.add(s);
      }
    } else if (type != null) {
      throw keyword(path, "type", "must be a string or an array of strings");
    } else {
      if (hasAny(m, "properties", "required", "additionalProperties")) {
        types.add("object");
      }
      if (hasAny(m, "items", "minItems", "maxItems")) {
        types.add("array");
      }
      if (hasAny(m, "minLength", "maxLength", "format")) {
        types.add("string");
      }
      if (hasAny(m, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
        types.add("number");
      }
      if (types.isEmpty()) {
        types.addAll(List.of("object", "array", "string", "number", "boolean", "null"));
      }
    }
    for (String t : types) {
      if (!TYPES.contains(t)) {
        throw keyword(path, "type", "\"" + t + "\" is not a JSON Schema type");
      }
    }
    if (types.isEmpty()) {
      throw keyword(path, "type", "[] allows no value");
    }
    if (types.contains("number")) {
      types.remove("integer");
    }
    return List.copyOf(new LinkedHashSet<>(types));
  }

  private String ref(String ref, String path) {
    if (!ref.startsWith("#")) {
      throw keyword(path, "$ref", "to another document (\"" + ref + "\") is not supported");
    }
    String pointer =
        URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    String known = refRules.get(pointer);
    if (known != null) {
      return known;
    }
    resolve(pointer, path);
    String[] segments = pointer.split("/");
    String name =
        g.reserve(prefix + (segments.length == 0 ? "root" : segments[segments.length - 1]));
    refRules.put(pointer, name);
    pending.addLast(pointer);
    return name;
  }

  private Object resolve(String pointer, String path) {
    if (!pointer.isEmpty() && !pointer.startsWith("/")) {
      throw keyword(path, "$ref", "to an anchor (\"#" + pointer + "\") is not supported");
    }
    Object node = root;
    for (String raw : pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1)) {
      String segment = raw.replace("~1", "/").replace("~0", "~");
      if (node instanceof Map<?, ?> map && map.containsKey(segment)) {
        node = map.get(segment);
      } else if (node instanceof List<?> list
          && segment.matches("\\d{1,9}")
          && Integer.parseInt(segment) < list.size()) {
        node = list.get(Integer.parseInt(segment));
      } else {
        throw keyword(path, "$ref", "\"#" + pointer + "\" points to nothing in this schema");
      }
    }
    return node;
  }

  private String alternatives(Map<String, Object> m, String path) {
    if (m.containsKey("anyOf") && m.containsKey("oneOf")) {
      throw keyword(path, "oneOf", "together with \"anyOf\" is not supported");
    }
    String key = m.containsKey("anyOf") ? "anyOf" : "oneOf";
    List<?> branches = list(m, key, path);
    if (branches.isEmpty()) {
      throw keyword(path, key, "must list at least one schema");
    }
    if (key.equals("oneOf")) {
      Disjointness d = new Disjointness(root);
      for (int i = 0; i < branches.size(); i++) {
        for (int j = i + 1; j < branches.size(); j++) {
          if (!d.disjoint(branches.get(i), branches.get(j))) {
            throw keyword(
                path,
                "oneOf",
                "is only supported when its schemas cannot match the same value ("
                    + i
                    + " and "
                    + j
                    + " may overlap; anyOf may be what is meant)");
          }
        }
      }
    }
    List<String> alts = new ArrayList<>();
    for (int i = 0; i < branches.size(); i++) {
      alts.add(compile(branches.get(i), path + "/" + key + "/" + i));
    }
    return g.rule(hint(path), String.join(" | ", alts));
  }

  private String enumeration(Map<String, Object> m, Set<String> validation, String path) {
    for (String other : validation) {
      if (!other.equals("enum") && !other.equals("const") && !other.equals("type")) {
        throw keyword(path, other, "together with \"enum\" or \"const\" is not supported");
      }
    }
    List<Object> values = new ArrayList<>();
    if (m.containsKey("const")) {
      values.add(m.get("const"));
    }
    if (m.containsKey("enum")) {
      List<?> list = list(m, "enum", path);
      if (m.containsKey("const")) {
        values.removeIf(v -> !list.stream().map(Json::write).toList().contains(Json.write(v)));
      } else {
        values.addAll(list);
      }
    }
    List<String> types = m.containsKey("type") ? types(m, path) : null;
    Set<String> literals = new LinkedHashSet<>();
    for (Object v : values) {
      if (types == null || types.stream().anyMatch(t -> Disjointness.isOfType(v, t))) {
        literals.add(Json.write(v));
      }
    }
    String key = m.containsKey("enum") ? "enum" : "const";
    if (literals.isEmpty()) {
      throw keyword(path, key, "leaves no value (given \"type\")");
    }
    return g.rule(hint(path), Trie.alternation(new ArrayList<>(literals)));
  }

  private String object(Map<String, Object> m, String path) {
    Map<?, ?> props = m.containsKey("properties") ? map(m, "properties", path) : Map.of();
    List<?> required = m.containsKey("required") ? list(m, "required", path) : List.of();
    Object additional = m.get("additionalProperties");
    String ws = json.ws();
    if (additional != null && !(additional instanceof Boolean)) {
      if (!props.isEmpty() || !required.isEmpty()) {
        throw keyword(
            path, "additionalProperties", "with a schema next to properties is not supported");
      }
      String value = compile(additional, path + "/additionalProperties");
      String member =
          g.rule(
              hint(path) + "-kv",
              GrammarBuilder.join(
                  json.string(0, GrammarBuilder.UNBOUNDED), ws, "\":\"", ws, value));
      String more = g.rule(hint(path) + "-more", GrammarBuilder.join(ws, "\",\"", ws, member));
      return g.rule(
          hint(path), "\"{\" " + ws + " (" + member + " " + more + "*)? " + ws + " \"}\"");
    }
    if (props.isEmpty() && required.isEmpty()) {
      return Boolean.FALSE.equals(additional)
          ? g.rule("empty-object", "\"{\" " + ws + " \"}\"")
          : json.anyObject(JsonRules.ANY_DEPTH);
    }
    List<String> names = new ArrayList<>();
    List<String> members = new ArrayList<>();
    for (Map.Entry<?, ?> e : props.entrySet()) {
      String name = (String) e.getKey();
      String value = compile(e.getValue(), path + "/properties/" + escape(name));
      names.add(name);
      members.add(member(name, value, ws));
    }
    Set<String> requiredNames = new LinkedHashSet<>();
    for (Object r : required) {
      if (!(r instanceof String name)) {
        throw keyword(path, "required", "must list property names");
      }
      requiredNames.add(name);
      if (!names.contains(name)) {
        if (Boolean.FALSE.equals(additional)) {
          throw keyword(
              path, "required", "names \"" + name + "\", which additionalProperties forbids");
        }
        names.add(name);
        members.add(member(name, json.anyValue(JsonRules.ANY_DEPTH), ws));
      }
    }
    String sep = names.size() > 1 ? g.rule("comma", GrammarBuilder.join(ws, "\",\"", ws)) : "";
    // tails[i]: members i.. after something was written (each then starts with a comma).
    String[] tails = new String[names.size() + 1];
    tails[names.size()] = "";
    for (int i = names.size() - 1; i >= 1; i--) {
      String item = sep + " " + members.get(i);
      String own = requiredNames.contains(names.get(i)) ? item : "(" + item + ")?";
      tails[i] =
          i == names.size() - 1 ? own : g.rule(hint(path) + "-tail", own + " " + tails[i + 1]);
    }
    // The first member written: any optional one up to and including the first required one.
    List<String> firsts = new ArrayList<>();
    boolean anyRequired = false;
    for (int i = 0; i < names.size() && !anyRequired; i++) {
      firsts.add(GrammarBuilder.join(members.get(i), tails[i + 1]));
      anyRequired = requiredNames.contains(names.get(i));
    }
    String body = String.join(" | ", firsts);
    body = anyRequired ? (firsts.size() == 1 ? body : "(" + body + ")") : "(" + body + ")?";
    return g.rule(hint(path), "\"{\" " + ws + " " + body + " " + ws + " \"}\"");
  }

  private String member(String name, String value, String ws) {
    String key = GrammarBuilder.literal(Json.quote(name));
    return g.rule(prefix + "kv-" + name, GrammarBuilder.join(key, ws, "\":\"", ws, value));
  }

  private String array(Map<String, Object> m, String path) {
    Object items = m.get("items");
    if (items instanceof List<?>) {
      throw keyword(path, "items", "as an array (tuple) is not supported");
    }
    long min = ScalarSchemas.count(m, "minItems", path, 0);
    long max = ScalarSchemas.count(m, "maxItems", path, GrammarBuilder.UNBOUNDED);
    if (max != GrammarBuilder.UNBOUNDED && min > max) {
      throw keyword(path, "maxItems", "is below minItems: no array fits");
    }
    String ws = json.ws();
    if (max == 0) {
      return g.rule("empty-array", "\"[\" " + ws + " \"]\"");
    }
    String item =
        items == null ? json.anyValue(JsonRules.ANY_DEPTH) : compile(items, path + "/items");
    String elements = item;
    if (max != 1) {
      String more = g.rule(hint(path) + "-more", GrammarBuilder.join(ws, "\",\"", ws, item));
      elements =
          GrammarBuilder.join(
              item,
              g.repeat(
                  more,
                  Math.max(min - 1, 0),
                  max == GrammarBuilder.UNBOUNDED ? GrammarBuilder.UNBOUNDED : max - 1));
    }
    if (min == 0) {
      elements = "(" + elements + ")?";
    }
    return g.rule(hint(path), "\"[\" " + ws + " " + elements + " " + ws + " \"]\"");
  }

  private static List<?> list(Map<String, Object> m, String key, String path) {
    if (m.get(key) instanceof List<?> list) {
      return list;
    }
    throw keyword(path, key, "must be an array");
  }

  private static Map<?, ?> map(Map<String, Object> m, String key, String path) {
    if (m.get(key) instanceof Map<?, ?> map) {
      return map;
    }
    throw keyword(path, key, "must be an object");
  }

  private static boolean hasAny(Map<String, Object> m, String... keys) {
    for (String k : keys) {
      if (m.containsKey(k)) {
        return true;
      }
    }
    return false;
  }

  private String hint(String path) {
    int slash = path.lastIndexOf('/');
    String last = slash < 0 ? "" : path.substring(slash + 1);
    return prefix + (path.isEmpty() ? "value" : last);
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
