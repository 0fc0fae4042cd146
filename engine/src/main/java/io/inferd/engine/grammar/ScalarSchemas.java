package io.inferd.engine.grammar;

import static io.inferd.engine.grammar.UnsupportedSchemaException.keyword;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/** The keywords of string, integer and number schemas: lengths, formats, bounds. */
final class ScalarSchemas {
  /** Largest absolute bound, in digits, for minimum/maximum. */
  static final int MAX_BOUND_DIGITS = 30;

  private static final BigInteger DEFAULT_INT_BOUND =
      BigInteger.TEN.pow(JsonRules.MAX_INT_DIGITS).subtract(BigInteger.ONE);

  private final GrammarBuilder g;
  private final JsonRules json;

  ScalarSchemas(GrammarBuilder g, JsonRules json) {
    this.g = g;
    this.json = json;
  }

  String string(Map<String, Object> m, String path) {
    Object format = m.get("format");
    if (format != null) {
      for (String k : List.of("minLength", "maxLength")) {
        if (m.containsKey(k)) {
          throw keyword(path, k, "together with \"format\" is not supported");
        }
      }
      String q = "\"\\\"\"";
      String inner =
          switch (format instanceof String s ? s : "") {
            case "date" -> json.date();
            case "date-time" -> json.dateTime();
            case "time" -> json.time();
            case "uuid" -> json.uuid();
            case "ipv4" -> json.ipv4();
            default ->
                throw keyword(
                    path,
                    "format",
                    Json.write(format)
                        + " is not supported (supported: date, date-time, time, uuid, ipv4)");
          };
      return g.rule("string-" + format, q + " " + inner + " " + q);
    }
    long min = count(m, "minLength", path, 0);
    long max = count(m, "maxLength", path, GrammarBuilder.UNBOUNDED);
    if (max != GrammarBuilder.UNBOUNDED && min > max) {
      throw keyword(path, "maxLength", "is below minLength: no string fits");
    }
    return json.string(min, max);
  }

  String integer(Map<String, Object> m, String path) {
    BigDecimal[] b = bounds(m, path);
    BigInteger lo = null;
    BigInteger hi = null;
    if (b[0] != null) {
      lo = b[0].setScale(0, RoundingMode.CEILING).toBigInteger();
    }
    if (b[1] != null) {
      lo = max(lo, b[1].setScale(0, RoundingMode.FLOOR).toBigInteger().add(BigInteger.ONE));
    }
    if (b[2] != null) {
      hi = b[2].setScale(0, RoundingMode.FLOOR).toBigInteger();
    }
    if (b[3] != null) {
      hi = min(hi, b[3].setScale(0, RoundingMode.CEILING).toBigInteger().subtract(BigInteger.ONE));
    }
    // Open ends are bounded in digits: tighter than the schema, and no endless number.
    if (hi == null) {
      hi = lo == null ? DEFAULT_INT_BOUND : DEFAULT_INT_BOUND.max(lo);
    }
    if (lo == null) {
      lo = DEFAULT_INT_BOUND.negate().min(hi);
    }
    if (lo.compareTo(hi) > 0) {
      throw keyword(path, "maximum", "leaves no integer between the bounds");
    }
    return json.integer(lo, hi);
  }

  String number(Map<String, Object> m, String path) {
    BigDecimal[] b = bounds(m, path);
    if (b[0] == null && b[1] == null && b[2] == null && b[3] == null) {
      return json.anyNumber();
    }
    String[] names = {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"};
    BigInteger[] whole = new BigInteger[4];
    for (int i = 0; i < 4; i++) {
      if (b[i] == null) {
        continue;
      }
      if (b[i].stripTrailingZeros().scale() > 0) {
        throw keyword(
            path, names[i], "with a fraction (" + b[i] + ") is only supported for type integer");
      }
      whole[i] = b[i].toBigIntegerExact();
    }
    // The tighter of minimum and exclusiveMinimum (and of the maxima) decides.
    BigInteger lo = whole[0];
    boolean loEx = false;
    if (whole[1] != null && (lo == null || whole[1].compareTo(lo) >= 0)) {
      lo = whole[1];
      loEx = true;
    }
    BigInteger hi = whole[2];
    boolean hiEx = false;
    if (whole[3] != null && (hi == null || whole[3].compareTo(hi) <= 0)) {
      hi = whole[3];
      hiEx = true;
    }
    if (lo != null && hi != null) {
      int c = lo.compareTo(hi);
      if (c > 0 || (c == 0 && (loEx || hiEx))) {
        throw keyword(
            path, hiEx ? "exclusiveMaximum" : "maximum", "leaves no number between the bounds");
      }
    }
    return json.decimal(lo, loEx, hi, hiEx);
  }

  /** minimum, exclusiveMinimum, maximum, exclusiveMaximum (null where absent). */
  private BigDecimal[] bounds(Map<String, Object> m, String path) {
    String[] names = {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"};
    BigDecimal[] out = new BigDecimal[4];
    for (int i = 0; i < 4; i++) {
      Object v = m.get(names[i]);
      if (v == null) {
        continue;
      }
      if (v instanceof Boolean) {
        throw keyword(
            path, names[i], "as a boolean (draft 4) is not supported; give the bound itself");
      }
      if (!(v instanceof Json.Num n)) {
        throw keyword(path, names[i], "must be a number");
      }
      BigDecimal d = n.value();
      if (d.signum() != 0 && d.precision() - d.scale() > MAX_BOUND_DIGITS) {
        throw keyword(path, names[i], "beyond " + MAX_BOUND_DIGITS + " digits is not supported");
      }
      out[i] = d;
    }
    return out;
  }

  static long count(Map<String, Object> m, String key, String path, long absent) {
    Object v = m.get(key);
    if (v == null) {
      return absent;
    }
    if (!(v instanceof Json.Num n)
        || n.value().signum() < 0
        || n.value().stripTrailingZeros().scale() > 0) {
      throw keyword(path, key, "must be a non-negative integer");
    }
    if (n.value().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      throw keyword(path, key, "above " + Integer.MAX_VALUE + " is not supported");
    }
    return n.value().longValueExact();
  }

  private static BigInteger max(BigInteger a, BigInteger b) {
    return a == null ? b : a.max(b);
  }

  private static BigInteger min(BigInteger a, BigInteger b) {
    return a == null ? b : a.min(b);
  }
}
