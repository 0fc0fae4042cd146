package io.inferd.engine.grammar;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GBNF parser and recognizer for tests: parsing is a strict syntax check of what the generator
 * emits (rule names as llama.cpp reads them, every referenced rule defined, no left recursion,
 * bounded repetition counts), and {@link #accepts} matches whole strings (code point by code point,
 * as llama.cpp's grammar sampler does) with memoised sets of end positions.
 */
final class GbnfRecognizer {
  /** llama.cpp refuses larger repetition counts; the generator must stay well below. */
  static final int MAX_REPETITION = 2000;

  private sealed interface Node {}

  private record Lit(int[] cps) implements Node {}

  private record CharClass(List<int[]> ranges, boolean negated) implements Node {}

  private record Ref(String name) implements Node {}

  private record Seq(List<Node> items) implements Node {}

  private record Alt(List<Node> options) implements Node {}

  private record Rep(Node node, int min, int max) implements Node {}

  private final Map<String, Node> rules = new LinkedHashMap<>();
  private final String src;
  private int pos;

  private GbnfRecognizer(String src) {
    this.src = src;
  }

  static GbnfRecognizer parse(String gbnf) {
    GbnfRecognizer r = new GbnfRecognizer(gbnf);
    r.parseRules();
    return r;
  }

  int ruleCount() {
    return rules.size();
  }

  private void parseRules() {
    while (true) {
      skipSpace(true);
      if (pos >= src.length()) {
        break;
      }
      String name = name();
      skipSpace(false);
      if (!src.startsWith("::=", pos)) {
        throw error("expected ::=");
      }
      pos += 3;
      if (rules.containsKey(name)) {
        throw error("rule " + name + " defined twice");
      }
      rules.put(name, alternates(false));
      if (pos < src.length() && src.charAt(pos) != '\n') {
        throw error("expected end of line");
      }
    }
    if (!rules.containsKey("root")) {
      throw error("no root rule");
    }
    for (Node n : rules.values()) {
      checkRefs(n);
    }
    checkNoLeftRecursion();
    java.util.Set<String> reachable = new java.util.HashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of("root"));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (reachable.add(name)) {
        refs(rules.get(name), todo);
      }
    }
    if (reachable.size() != rules.size()) {
      java.util.Set<String> unused = new java.util.TreeSet<>(rules.keySet());
      unused.removeAll(reachable);
      throw new IllegalArgumentException("rules never used: " + unused);
    }
  }

  private Node alternates(boolean nested) {
    List<Node> options = new ArrayList<>();
    options.add(sequence(nested));
    while (pos < src.length() && src.charAt(pos) == '|') {
      pos++;
      options.add(sequence(nested));
    }
    return options.size() == 1 ? options.get(0) : new Alt(options);
  }

  private Node sequence(boolean nested) {
    List<Node> items = new ArrayList<>();
    while (true) {
      skipSpace(nested);
      if (pos >= src.length()) {
        break;
      }
      char c = src.charAt(pos);
      Node item;
      if (c == '"') {
        pos++;
        List<Integer> cps = new ArrayList<>();
        while (src.charAt(pos) != '"') {
          cps.add(charAt());
        }
        pos++;
        item = new Lit(cps.stream().mapToInt(Integer::intValue).toArray());
      } else if (c == '[') {
        pos++;
        boolean negated = src.charAt(pos) == '^';
        if (negated) {
          pos++;
        }
        List<int[]> ranges = new ArrayList<>();
        while (src.charAt(pos) != ']') {
          int from = charAt();
          int to = from;
          if (src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
            pos++;
            to = charAt();
          }
          if (to < from) {
            throw error("empty range");
          }
          ranges.add(new int[] {from, to});
        }
        pos++;
        item = new CharClass(ranges, negated);
      } else if (c == '(') {
        pos++;
        item = alternates(true);
        skipSpace(true);
        if (pos >= src.length() || src.charAt(pos) != ')') {
          throw error("expected )");
        }
        pos++;
      } else if (isWordChar(c)) {
        item = new Ref(name());
      } else {
        break;
      }
      items.add(postfix(item));
    }
    return items.size() == 1 ? items.get(0) : new Seq(items);
  }

  private Node postfix(Node item) {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '*') {
        item = new Rep(item, 0, Integer.MAX_VALUE);
      } else if (c == '+') {
        item = new Rep(item, 1, Integer.MAX_VALUE);
      } else if (c == '?') {
        item = new Rep(item, 0, 1);
      } else if (c == '{') {
        int close = src.indexOf('}', pos);
        String[] parts = src.substring(pos + 1, close).split(",", -1);
        int min = Integer.parseInt(parts[0].trim());
        int max =
            parts.length == 1
                ? min
                : parts[1].isBlank() ? Integer.MAX_VALUE : Integer.parseInt(parts[1].trim());
        if (min > MAX_REPETITION || (max != Integer.MAX_VALUE && max > MAX_REPETITION)) {
          throw error("repetition count above " + MAX_REPETITION);
        }
        item = new Rep(item, min, max);
        pos = close;
      } else {
        return item;
      }
      pos++;
    }
    return item;
  }

  private int charAt() {
    char c = src.charAt(pos++);
    if (c != '\\') {
      int cp = src.codePointAt(pos - 1);
      pos += Character.charCount(cp) - 1;
      return cp;
    }
    char e = src.charAt(pos++);
    return switch (e) {
      case 'x' -> hex(2);
      case 'u' -> hex(4);
      case 'U' -> hex(8);
      case 't' -> '\t';
      case 'r' -> '\r';
      case 'n' -> '\n';
      case '\\', '"', '[', ']', '-', '^' -> e;
      default -> throw error("unknown escape \\" + e);
    };
  }

  private int hex(int n) {
    int v = Integer.parseInt(src.substring(pos, pos + n), 16);
    pos += n;
    return v;
  }

  private String name() {
    int start = pos;
    while (pos < src.length() && isWordChar(src.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a rule name");
    }
    return src.substring(start, pos);
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }

  private void skipSpace(boolean newlines) {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '#') {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
        pos++;
      } else {
        return;
      }
    }
  }

  private IllegalArgumentException error(String what) {
    int line =
        (int) src.substring(0, Math.min(pos, src.length())).chars().filter(c -> c == '\n').count();
    return new IllegalArgumentException("GBNF line " + (line + 1) + ": " + what);
  }

  private static void refs(Node n, java.util.Deque<String> out) {
    switch (n) {
      case Ref r -> out.push(r.name());
      case Seq s -> s.items().forEach(i -> refs(i, out));
      case Alt a -> a.options().forEach(o -> refs(o, out));
      case Rep r -> refs(r.node(), out);
      default -> {}
    }
  }

  private void checkRefs(Node n) {
    switch (n) {
      case Ref r -> {
        if (!rules.containsKey(r.name())) {
          throw new IllegalArgumentException("undefined rule " + r.name());
        }
      }
      case Seq s -> s.items().forEach(this::checkRefs);
      case Alt a -> a.options().forEach(this::checkRefs);
      case Rep r -> checkRefs(r.node());
      default -> {}
    }
  }

  /** No rule may reach itself without consuming input (llama.cpp refuses that too). */
  private void checkNoLeftRecursion() {
    Map<String, List<String>> edges = new HashMap<>();
    rules.forEach((name, node) -> edges.put(name, leftRefs(node)));
    Map<String, Integer> state = new HashMap<>(); // 1: on the path, 2: done
    for (String start : rules.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
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
          throw new IllegalArgumentException("left recursion through " + next);
        }
        if (st == null) {
          state.put(next, 1);
          path.push(edges.get(next).iterator());
          names.push(next);
        }
      }
    }
  }

  private List<String> leftRefs(Node n) {
    List<String> out = new ArrayList<>();
    switch (n) {
      case Ref r -> out.add(r.name());
      case Alt a -> a.options().forEach(o -> out.addAll(leftRefs(o)));
      case Rep r -> out.addAll(leftRefs(r.node()));
      case Seq s -> {
        for (Node item : s.items()) {
          out.addAll(leftRefs(item));
          if (!nullable(item, new java.util.HashSet<>())) {
            break;
          }
        }
      }
      default -> {}
    }
    return out;
  }

  private final Map<String, Boolean> nullableRules = new HashMap<>();

  /** Whether n can match the empty string (a rule still being decided counts as not). */
  private boolean nullable(Node n, java.util.Set<String> seen) {
    return switch (n) {
      case Lit l -> l.cps().length == 0;
      case CharClass c -> false;
      case Ref r -> {
        Boolean known = nullableRules.get(r.name());
        if (known != null) {
          yield known;
        }
        if (!seen.add(r.name())) {
          yield false;
        }
        boolean result = nullable(rules.get(r.name()), seen);
        nullableRules.put(r.name(), result);
        yield result;
      }
      case Seq s -> s.items().stream().allMatch(i -> nullable(i, seen));
      case Alt a -> a.options().stream().anyMatch(o -> nullable(o, seen));
      case Rep r -> r.min() == 0 || nullable(r.node(), seen);
    };
  }

  /** Whether the whole of {@code text} matches rule root. */
  boolean accepts(String text) {
    return new Matcher(text.codePoints().toArray())
        .match(new Ref("root"), 0)
        .get(text.codePoints().toArray().length);
  }

  private final class Matcher {
    private final int[] in;
    private final Map<String, BitSet[]> memo = new HashMap<>();

    Matcher(int[] in) {
      this.in = in;
    }

    BitSet match(Node n, int at) {
      BitSet out = new BitSet();
      switch (n) {
        case Lit l -> {
          if (at + l.cps().length <= in.length
              && java.util.Arrays.equals(in, at, at + l.cps().length, l.cps(), 0, l.cps().length)) {
            out.set(at + l.cps().length);
          }
        }
        case CharClass c -> {
          if (at < in.length) {
            boolean hit = false;
            for (int[] r : c.ranges()) {
              hit |= in[at] >= r[0] && in[at] <= r[1];
            }
            if (hit != c.negated()) {
              out.set(at + 1);
            }
          }
        }
        case Ref r -> {
          BitSet[] cache = memo.computeIfAbsent(r.name(), k -> new BitSet[in.length + 1]);
          if (cache[at] == null) {
            cache[at] = match(rules.get(r.name()), at);
          }
          out.or(cache[at]);
        }
        case Seq s -> {
          out.set(at);
          for (Node item : s.items()) {
            out = step(item, out);
          }
        }
        case Alt a -> {
          for (Node o : a.options()) {
            out.or(match(o, at));
          }
        }
        case Rep r -> {
          BitSet cur = new BitSet();
          cur.set(at);
          for (int i = 0; i < r.min(); i++) {
            cur = step(r.node(), cur);
          }
          out.or(cur);
          for (long i = r.min(); i < r.max() && !cur.isEmpty(); i++) {
            BitSet next = step(r.node(), cur);
            next.andNot(out);
            out.or(next);
            cur = next;
          }
        }
      }
      return out;
    }

    private BitSet step(Node n, BitSet from) {
      BitSet next = new BitSet();
      for (int p = from.nextSetBit(0); p >= 0; p = from.nextSetBit(p + 1)) {
        next.or(match(n, p));
      }
      return next;
    }
  }
}
