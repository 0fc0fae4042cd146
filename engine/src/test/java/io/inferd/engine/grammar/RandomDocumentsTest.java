package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.JsonSchemaGrammarTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property style: random documents, mostly near the schema and written the way the grammar writes
 * (declared property order, no exponents, no -0), some a little off (a bound crossed, a property
 * missing or extra, a wrong type). On every one, grammar and validator must agree.
 */
class RandomDocumentsTest {
  private static final int DOCS = 250;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'type':'object','properties':{'name':{'type':'string','maxLength':5},'age':{'type':'integer',"
            + "'minimum':0,'maximum':130},'tags':{'type':'array','items':{'enum':['a','bb','bc']},"
            + "'maxItems':3}},'required':['name'],'additionalProperties':false}",
        "{'type':'array','items':{'type':'number','minimum':-3,'exclusiveMaximum':2},'minItems':1,"
            + "'maxItems':4}",
        "{'type':'number','exclusiveMinimum':0,'maximum':10}",
        "{'type':'integer','minimum':-1000,'maximum':99999}",
        "{'type':'integer'}",
        "{'type':['string','null'],'minLength':2,'maxLength':40}",
        "{'type':'string','format':'date'}",
        "{'type':'string','format':'date-time'}",
        "{'type':'string','format':'uuid'}",
        "{'type':'string','format':'ipv4'}",
        "{'$defs':{'n':{'type':'object','properties':{'v':{'type':'integer','minimum':1,'maximum':9},"
            + "'kids':{'type':'array','items':{'$ref':'#/$defs/n'},'maxItems':2}},'required':['v'],"
            + "'additionalProperties':false}},'$ref':'#/$defs/n'}",
        "{'oneOf':[{'type':'object','properties':{'kind':{'const':'circle'},'r':{'type':'number',"
            + "'minimum':0}},'required':['kind','r'],'additionalProperties':false},{'type':'object',"
            + "'properties':{'kind':{'const':'square'},'side':{'type':'integer','minimum':1}},"
            + "'required':['kind','side'],'additionalProperties':false}]}",
        "{'anyOf':[{'type':'boolean'},{'type':'string','minLength':3,'maxLength':3},"
            + "{'enum':[1,2.5,null,[1],{'x':'y'}]}]}",
      })
  void grammarAndValidatorAgree(String schema) {
    SchemaOracle o = SchemaOracle.of(j(schema));
    Object root = Json.parse(j(schema));
    Random rnd = new Random(schema.hashCode());
    int accepted = 0;
    for (int i = 0; i < DOCS; i++) {
      String doc = new Gen(root, rnd).value(root, 0);
      boolean valid = o.schemaAccepts(doc);
      assertThat(o.grammarAccepts(doc))
          .as("%s (valid: %s) in\n%s", doc, valid, o.grammar)
          .isEqualTo(valid);
      accepted += valid ? 1 : 0;
    }
    // Both kinds are exercised.
    assertThat(accepted).isBetween(DOCS / 10, DOCS - DOCS / 20);
  }

  /** A schema-guided document generator that sometimes steps outside the schema. */
  private static final class Gen {
    private final Object root;
    private final Random rnd;

    Gen(Object root, Random rnd) {
      this.root = root;
      this.rnd = rnd;
    }

    private boolean off() {
      return rnd.nextInt(12) == 0;
    }

    private String ws() {
      return switch (rnd.nextInt(6)) {
        case 0 -> " ";
        case 1 -> "\n  ";
        default -> "";
      };
    }

    @SuppressWarnings("unchecked")
    String value(Object schema, int depth) {
      Map<String, Object> s = (Map<String, Object>) schema;
      if (s.get("$ref") instanceof String ref) {
        Object node = root;
        for (String seg : ref.substring(2).split("/")) {
          node = ((Map<String, Object>) node).get(seg);
        }
        return value(node, depth + 1);
      }
      for (String key : List.of("anyOf", "oneOf")) {
        if (s.get(key) instanceof List<?> branches) {
          return value(branches.get(rnd.nextInt(branches.size())), depth);
        }
      }
      if (off()) {
        return List.of("true", "null", "7", "-1.5", "\"s\"", "[]", "{}").get(rnd.nextInt(7));
      }
      if (s.containsKey("const")) {
        return Json.write(s.get("const"));
      }
      if (s.get("enum") instanceof List<?> values) {
        return Json.write(values.get(rnd.nextInt(values.size())));
      }
      String type =
          s.get("type") instanceof List<?> types
              ? (String) types.get(rnd.nextInt(types.size()))
              : (String) s.get("type");
      return switch (type) {
        case "null" -> "null";
        case "boolean" -> rnd.nextBoolean() ? "true" : "false";
        case "string" -> string(s);
        case "integer" -> integer(s);
        case "number" -> number(s);
        case "array" -> array(s, depth);
        case "object" -> object(s, depth);
        default -> throw new IllegalArgumentException(type);
      };
    }

    private long num(Map<String, Object> s, String key, long absent) {
      return s.get(key) instanceof Json.Num n ? n.value().longValue() : absent;
    }

    private String string(Map<String, Object> s) {
      if (s.get("format") instanceof String f) {
        return "\"" + format(f) + "\"";
      }
      long min = num(s, "minLength", 0);
      long max = num(s, "maxLength", min + 8);
      long len = Math.max(0, min - 1 + rnd.nextInt((int) (max - min + 3)));
      String[] pool = {
        "a", "Z", " ", "é", "😀", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "/"
      };
      StringBuilder sb = new StringBuilder("\"");
      for (long i = 0; i < len; i++) {
        sb.append(pool[rnd.nextInt(pool.length)]);
      }
      return sb.append('"').toString();
    }

    private String format(String f) {
      return switch (f) {
        case "date" -> date();
        case "date-time" ->
            date()
                + "T"
                + String.format("%02d:%02d:%02d", rnd.nextInt(25), rnd.nextInt(61), rnd.nextInt(60))
                + (rnd.nextBoolean() ? "." + rnd.nextInt(1000) : "")
                + (rnd.nextBoolean()
                    ? "Z"
                    : String.format(
                        "%s%02d:%02d",
                        rnd.nextBoolean() ? "+" : "-", rnd.nextInt(25), rnd.nextInt(60)));
        case "uuid" -> {
          StringBuilder sb = new StringBuilder();
          for (int part : new int[] {8, 4, 4, 4, off() ? 11 : 12}) {
            if (!sb.isEmpty()) {
              sb.append('-');
            }
            for (int i = 0; i < part; i++) {
              sb.append("0123456789abcdefABCDEF".charAt(rnd.nextInt(22)));
            }
          }
          yield off() ? sb.toString().replace('-', 'g') : sb.toString();
        }
        case "ipv4" -> {
          int[] octets = {0, 7, 10, 99, 100, 199, 200, 249, 250, 255, 256, 300};
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < (off() ? 3 : 4); i++) {
            sb.append(i == 0 ? "" : ".").append(octets[rnd.nextInt(octets.length)]);
          }
          yield sb.toString();
        }
        default -> throw new IllegalArgumentException(f);
      };
    }

    private String date() {
      int[] years = {1900, 2000, 2023, 2024, 2100, 1996, 1};
      return String.format(
          "%04d-%02d-%02d", years[rnd.nextInt(years.length)], rnd.nextInt(14), 1 + rnd.nextInt(31));
    }

    private String integer(Map<String, Object> s) {
      long lo = num(s, "minimum", Long.MIN_VALUE);
      long hi = num(s, "maximum", Long.MAX_VALUE);
      if (lo == Long.MIN_VALUE && hi == Long.MAX_VALUE) {
        return Long.toString(rnd.nextLong() % 1_000_000_000_000_000_000L);
      }
      long from = lo == Long.MIN_VALUE ? hi - 1000 : lo - 3;
      long to = hi == Long.MAX_VALUE ? lo + 1000 : hi + 3;
      return Long.toString(from + (long) (rnd.nextDouble() * (to - from + 1)));
    }

    private String number(Map<String, Object> s) {
      long lo = Math.max(num(s, "minimum", -50), num(s, "exclusiveMinimum", -50));
      long hi = Math.min(num(s, "maximum", 50), num(s, "exclusiveMaximum", 50));
      long whole = lo - 1 + (long) (rnd.nextDouble() * (hi - lo + 3));
      String[] fracs = {"", "", ".0", ".5", ".25", ".05", ".10", ".999", ".0001"};
      String frac = fracs[rnd.nextInt(fracs.length)];
      boolean zero = whole == 0 && frac.chars().allMatch(c -> c == '.' || c == '0');
      // The generated text is sign and magnitude; -0 (any zero with a minus) is never written.
      if (whole < 0 || (whole == 0 && !zero && rnd.nextBoolean())) {
        return "-" + Math.abs(whole) + frac;
      }
      return whole + frac;
    }

    @SuppressWarnings("unchecked")
    private String array(Map<String, Object> s, int depth) {
      long min = num(s, "minItems", 0);
      long max = num(s, "maxItems", min + 4);
      long n = Math.max(0, min - 1 + rnd.nextInt((int) (max - min + 3)));
      if (depth > 3) {
        n = Math.min(n, min);
      }
      List<String> items = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        items.add(value(s.getOrDefault("items", Map.of("type", "integer")), depth + 1));
      }
      return "[" + ws() + String.join(ws() + "," + ws(), items) + ws() + "]";
    }

    @SuppressWarnings("unchecked")
    private String object(Map<String, Object> s, int depth) {
      Map<String, Object> props = (Map<String, Object>) s.getOrDefault("properties", Map.of());
      List<?> required = (List<?>) s.getOrDefault("required", List.of());
      List<String> members = new ArrayList<>();
      for (Map.Entry<String, Object> e : props.entrySet()) {
        boolean req = required.contains(e.getKey());
        boolean include = req ? !off() : rnd.nextBoolean() && depth < 4;
        if (include) {
          members.add(Json.quote(e.getKey()) + ws() + ":" + ws() + value(e.getValue(), depth + 1));
        }
      }
      if (off()) {
        members.add("\"extra\":1");
      }
      return "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
    }
  }
}
