package io.inferd.engine.grammar;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides (conservatively) that no value the grammar produces for one oneOf branch validates
 * against another: only then is alternation exact for oneOf, which wants exactly one branch to
 * match.
 */
final class Disjointness {
  private static final Set<String> ALL =
      Set.of("null", "boolean", "object", "array", "number", "string");

  private final Object root;

  Disjointness(Object root) {
    this.root = root;
  }

  boolean disjoint(Object a, Object b) {
    Map<?, ?> x = resolve(a);
    Map<?, ?> y = resolve(b);
    if (x == null || y == null) {
      return false;
    }
    Set<String> kx = kinds(x, 0);
    Set<String> ky = kinds(y, 0);
    Set<String> both = new HashSet<>(kx);
    both.retainAll(ky);
    if (both.isEmpty()) {
      return true;
    }
    Set<String> vx = values(x);
    Set<String> vy = values(y);
    if (vx != null && vy != null) {
      Set<String> common = new HashSet<>(vx);
      common.retainAll(vy);
      return common.isEmpty();
    }
    if (kx.equals(Set.of("object")) && ky.equals(Set.of("object"))) {
      return excludes(x, y) && excludes(y, x);
    }
    return false;
  }

  /** No object the grammar writes for x validates against y. */
  private boolean excludes(Map<?, ?> x, Map<?, ?> y) {
    Set<String> xProps = keys(x.get("properties"));
    Set<String> xRequired = strings(x.get("required"));
    Set<String> yProps = keys(y.get("properties"));
    Set<String> yRequired = strings(y.get("required"));
    boolean xWritesOnlyNamed = !xProps.isEmpty() || !xRequired.isEmpty();
    for (String r : yRequired) {
      if (xWritesOnlyNamed && !xProps.contains(r) && !xRequired.contains(r)) {
        return true;
      }
    }
    if (Boolean.FALSE.equals(y.get("additionalProperties"))) {
      for (String r : xRequired) {
        if (!yProps.contains(r)) {
          return true;
        }
      }
    }
    // A property both require, with values that cannot coincide (a discriminator).
    if (x.get("properties") instanceof Map<?, ?> xp
        && y.get("properties") instanceof Map<?, ?> yp) {
      for (String r : xRequired) {
        if (yRequired.contains(r) && xp.containsKey(r) && yp.containsKey(r)) {
          Map<?, ?> px = resolve(xp.get(r));
          Map<?, ?> py = resolve(yp.get(r));
          Set<String> vx = px == null ? null : values(px);
          Set<String> vy = py == null ? null : values(py);
          if (vx != null && vy != null && vx.stream().noneMatch(vy::contains)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The JSON types a schema allows ("integer" counted as "number"). */
  private Set<String> kinds(Map<?, ?> s, int depth) {
    List<?> values = rawValues(s);
    Set<String> out = new HashSet<>();
    if (values != null) {
      for (Object v : values) {
        out.add(kindOf(v));
      }
      return out;
    }
    Object type = s.get("type");
    if (type instanceof String t) {
      out.add(t.equals("integer") ? "number" : t);
    } else if (type instanceof List<?> list) {
      list.forEach(t -> out.add("integer".equals(t) ? "number" : String.valueOf(t)));
    } else if (s.get("anyOf") instanceof List<?> list && depth < 8) {
      for (Object branch : list) {
        Map<?, ?> r = resolve(branch);
        out.addAll(r == null ? ALL : kinds(r, depth + 1));
      }
    } else {
      out.addAll(ALL);
    }
    return out;
  }

  /**
   * Comparable keys of the const/enum values (numbers by value, so 1 and 1.0 meet), or null if the
   * schema is not an enumeration.
   */
  private static Set<String> values(Map<?, ?> s) {
    List<?> raw = rawValues(s);
    if (raw == null) {
      return null;
    }
    Set<String> out = new HashSet<>();
    for (Object v : raw) {
      out.add(
          v instanceof Json.Num n
              ? "n:" + n.value().stripTrailingZeros().toString()
              : "j:" + Json.write(v));
    }
    return out;
  }

  private static List<?> rawValues(Map<?, ?> s) {
    if (s.containsKey("const")) {
      return java.util.Collections.singletonList(s.get("const"));
    }
    return s.get("enum") instanceof List<?> list ? list : null;
  }

  /** Follows $ref (and single-schema allOf) within the document; null if that is not possible. */
  private Map<?, ?> resolve(Object schema) {
    for (int hops = 0; hops < 32; hops++) {
      if (!(schema instanceof Map<?, ?> m)) {
        return null;
      }
      if (m.get("$ref") instanceof String ref && ref.startsWith("#")) {
        schema = pointer(ref.substring(1));
      } else if (m.get("allOf") instanceof List<?> all && all.size() == 1) {
        schema = all.get(0);
      } else {
        return m;
      }
    }
    return null;
  }

  private Object pointer(String pointer) {
    Object node = root;
    if (pointer.isEmpty()) {
      return node;
    }
    for (String raw : pointer.substring(1).split("/", -1)) {
      String segment = raw.replace("~1", "/").replace("~0", "~");
      node = node instanceof Map<?, ?> map ? map.get(segment) : null;
    }
    return node;
  }

  static boolean isOfType(Object v, String type) {
    return switch (type) {
      case "integer" -> v instanceof Json.Num n && n.value().stripTrailingZeros().scale() <= 0;
      default -> kindOf(v).equals(type);
    };
  }

  static String kindOf(Object v) {
    return switch (v) {
      case String s -> "string";
      case Json.Num n -> "number";
      case Boolean b -> "boolean";
      case Map<?, ?> m -> "object";
      case List<?> l -> "array";
      default -> "null";
    };
  }

  private static Set<String> keys(Object properties) {
    Set<String> out = new HashSet<>();
    if (properties instanceof Map<?, ?> m) {
      m.keySet().forEach(k -> out.add((String) k));
    }
    return out;
  }

  private static Set<String> strings(Object list) {
    Set<String> out = new HashSet<>();
    if (list instanceof List<?> l) {
      l.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }
}
