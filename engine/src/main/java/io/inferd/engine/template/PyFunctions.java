package io.inferd.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The globals and filters Hugging Face adds to Jinja for chat templates ({@code raise_exception},
 * {@code strftime_now}, {@code tojson}), and a {@code range} that fails instead of truncating.
 * Public static methods because Jinjava binds functions by reflection.
 */
public final class PyFunctions {
  static final int MAX_RANGE = 100_000;

  private PyFunctions() {}

  /** {@code raise_exception(message)}: stops rendering; the caller sees the message. */
  public static Object raiseException(Object message) {
    String text = String.valueOf(message);
    RenderState state = RenderState.current();
    if (state != null) {
      state.raise(text);
    }
    throw new IllegalStateException(text);
  }

  /** {@code strftime_now(format)}: the render's clock in its zone, Python strftime codes. */
  public static String strftimeNow(String format) {
    RenderState state = RenderState.current();
    ZonedDateTime now = state == null ? ZonedDateTime.now() : state.now();
    return StrftimeFormatter.format(now, format, Locale.US);
  }

  /** Python's {@code range}; more than {@value #MAX_RANGE} items stop the render. */
  public static List<Long> range(Object... args) {
    long start = 0;
    long stop;
    long step = 1;
    switch (args.length) {
      case 1 -> stop = toLong(args[0]);
      case 2 -> {
        start = toLong(args[0]);
        stop = toLong(args[1]);
      }
      case 3 -> {
        start = toLong(args[0]);
        stop = toLong(args[1]);
        step = toLong(args[2]);
      }
      default ->
          throw new IllegalArgumentException("range expected 1 to 3 arguments, got " + args.length);
    }
    if (step == 0) {
      throw new IllegalArgumentException("range() arg 3 must not be zero");
    }
    double count = Math.ceil(((double) stop - start) / step);
    if (count > MAX_RANGE) {
      RenderState state = RenderState.current();
      String why = "range() of " + (long) count + " items (the limit is " + MAX_RANGE + ")";
      if (state != null) {
        state.exceeded(why);
      }
      throw new IllegalArgumentException(why);
    }
    List<Long> out = new ArrayList<>((int) Math.max(0, count));
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add(i);
    }
    return out;
  }

  private static long toLong(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(o).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("range() expects integers, got '" + o + "'");
    }
  }

  /** A filter that says its name once, where it is made. */
  private abstract static class NamedFilter implements Filter {
    private final String name;

    NamedFilter(String name) {
      this.name = name;
    }

    @Override
    public final String getName() {
      return name;
    }
  }

  /**
   * {@code x | tojson(indent=N)} as Hugging Face defines it: {@code json.dumps(x,
   * ensure_ascii=False)}.
   */
  static final class ToJson extends NamedFilter {
    ToJson() {
      super("tojson");
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return PyJson.dumps(
          var,
          args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1,
          ChatTemplate.MAX_OUTPUT_CHARS);
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent =
          kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
      int spaces = indent instanceof Number n ? (int) Math.min(16, Math.max(0, n.longValue())) : -1;
      return PyJson.dumps(var, spaces, ChatTemplate.MAX_OUTPUT_CHARS);
    }
  }

  /** {@code d | items} (Jinja 3.1): the dict's key/value pairs. */
  static final class Items extends NamedFilter {
    Items() {
      super("items");
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      List<Object> out = new ArrayList<>();
      if (var instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.add(new ArrayList<>(java.util.Arrays.asList(e.getKey(), e.getValue())));
        }
      }
      return out;
    }
  }
}
