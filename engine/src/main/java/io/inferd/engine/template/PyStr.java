package io.inferd.engine.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Python's {@code str} methods that chat templates call, with Python's semantics. */
final class PyStr {
  private PyStr() {}

  static Object call(String s, String method, Object[] args) {
    return switch (method) {
      case "strip" -> strip(s, chars(args, method), true, true);
      case "lstrip" -> strip(s, chars(args, method), true, false);
      case "rstrip" -> strip(s, chars(args, method), false, true);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "startswith" -> affix(s, arg(args, 0, method), true);
      case "endswith" -> affix(s, arg(args, 0, method), false);
      case "split" ->
          split(s, args.length > 0 ? args[0] : null, args.length > 1 ? toInt(args[1]) : -1);
      case "replace" -> replace(s, args, method);
      case "find" -> (long) s.indexOf(str(arg(args, 0, method)));
      case "rfind" -> (long) s.lastIndexOf(str(arg(args, 0, method)));
      case "count" -> count(s, str(arg(args, 0, method)));
      case "join" -> join(s, arg(args, 0, method));
      case "isspace" -> !s.isEmpty() && s.chars().allMatch(PyStr::isSpace);
      case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
      default ->
          throw new jinjava.javax.el.MethodNotFoundException(
              "'str' object has no method '"
                  + method
                  + "' (the chat template sandbox allows: strip,"
                  + " lstrip, rstrip, upper, lower, title, capitalize, startswith, endswith, split,"
                  + " replace, find, rfind, count, join, isspace, isdigit, isalpha)");
    };
  }

  private static Object arg(Object[] args, int i, String method) {
    if (args.length <= i) {
      throw new IllegalArgumentException("str." + method + " needs an argument");
    }
    return args[i];
  }

  private static String chars(Object[] args, String method) {
    return args.length == 0 || args[0] == null ? null : str(args[0]);
  }

  private static String str(Object o) {
    return o == null ? "None" : o.toString();
  }

  private static int toInt(Object o) {
    return o instanceof Number n
        ? (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n.longValue()))
        : -1;
  }

  static boolean isSpace(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  private static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && strippable(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && strippable(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean strippable(char c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
      previousCased = Character.isLetter(c);
    }
    return out.toString();
  }

  private static boolean affix(String s, Object affix, boolean prefix) {
    if (affix instanceof Collection<?> options) { // Python accepts a tuple of candidates
      for (Object o : options) {
        if (affix(s, o, prefix)) {
          return true;
        }
      }
      return false;
    }
    String a = str(affix);
    return prefix ? s.startsWith(a) : s.endsWith(a);
  }

  private static List<String> split(String s, Object sep, int maxSplit) {
    List<String> parts = new ArrayList<>();
    if (sep == null) { // runs of whitespace, no empty strings
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          return parts;
        }
        if (maxSplit >= 0 && parts.size() == maxSplit) {
          parts.add(strip(s.substring(i), null, false, true));
          return parts;
        }
        int j = i;
        while (j < n && !isSpace(s.charAt(j))) {
          j++;
        }
        parts.add(s.substring(i, j));
        i = j;
      }
    }
    String separator = str(sep);
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("str.split: empty separator");
    }
    int from = 0;
    while (maxSplit < 0 || parts.size() < maxSplit) {
      int at = s.indexOf(separator, from);
      if (at < 0) {
        break;
      }
      parts.add(s.substring(from, at));
      from = at + separator.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static String replace(String s, Object[] args, String method) {
    String old = str(arg(args, 0, method));
    String replacement = str(arg(args, 1, method));
    int max = args.length > 2 ? toInt(args[2]) : -1;
    long grows =
        (long) (replacement.length() - old.length())
            * (old.isEmpty() ? s.length() + 1 : count(s, old));
    checkLength(s.length() + Math.max(0, grows));
    if (max < 0 && !old.isEmpty()) {
      return s.replace(old, replacement);
    }
    if (max < 0) {
      max = Integer.MAX_VALUE;
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int n = 0; n < max; n++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      out.append(s, from, at).append(replacement);
      from = at + old.length();
      if (old.isEmpty()) { // Python inserts between characters; one step keeps this finite
        if (from >= s.length()) {
          break;
        }
        out.append(s.charAt(from++));
      }
    }
    return out.append(s.substring(Math.min(from, s.length()))).toString();
  }

  /** Bounds what one call may allocate; the output limit alone would act only afterwards. */
  static void checkLength(long length) {
    if (length > ChatTemplate.MAX_OUTPUT_CHARS) {
      String why =
          "a string in the template exceeds " + ChatTemplate.MAX_OUTPUT_CHARS + " characters";
      RenderState state = RenderState.current();
      if (state != null) {
        state.exceeded(why);
      }
      throw new IllegalStateException(why);
    }
  }

  private static long count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1L;
    }
    long n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(String separator, Object items) {
    if (!(items instanceof Collection<?> list)) {
      throw new IllegalArgumentException("str.join takes a list");
    }
    StringBuilder out = new StringBuilder();
    boolean first = true;
    for (Object o : list) {
      if (!first) {
        out.append(separator);
      }
      first = false;
      out.append(str(o));
      checkLength(out.length());
    }
    return out.toString();
  }
}
