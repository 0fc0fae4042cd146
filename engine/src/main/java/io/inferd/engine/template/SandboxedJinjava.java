package io.inferd.engine.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.Context.Library;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.javax.el.ArrayELResolver;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * The one Jinjava set up as Hugging Face's chat-template environment (trim_blocks, lstrip_blocks,
 * loop controls, Python semantics) and sandboxed: allowlisted tags, filters and functions; no file
 * loading; no Java method access; no re-rendering of values as templates; bounded output, strings,
 * collections, ranges and macro recursion. Jinjava renders concurrently from one instance; each
 * render gets its own context and interpreter.
 */
final class SandboxedJinjava {
  static final int MAX_COLLECTION = 100_000;
  static final int MAX_MACRO_DEPTH = 64;

  // Jinja2's statements that chat templates use; HF enables the loopcontrols extension.
  private static final Set<String> TAGS =
      Set.of("for", "if", "elif", "else", "set", "macro", "call", "raw", "break", "continue");
  // Jinja2 built-in filters found in chat templates. Left out: those that allocate by an
  // argument (center, indent, wordwrap) or re-render (render), and Jinjava's non-Jinja extras.
  private static final Set<String> FILTERS =
      Set.of(
          "abs",
          "attr",
          "batch",
          "capitalize",
          "count",
          "default",
          "d",
          "dictsort",
          "e",
          "escape",
          "first",
          "float",
          "int",
          "join",
          "last",
          "length",
          "list",
          "lower",
          "map",
          "reject",
          "rejectattr",
          "replace",
          "reverse",
          "round",
          "safe",
          "select",
          "selectattr",
          "slice",
          "sort",
          "string",
          "sum",
          "title",
          "trim",
          "unique",
          "upper",
          "wordcount");
  private static final Set<String> FUNCTIONS = Set.of(":namespace");

  // Jinja2's behaviour where Jinjava kept its own for compatibility. Not "whitespace required
  // within tokens": templates write {%- if ... -%} and {{'x'}} freely. Not the pyish object
  // mapper: it printed a NUL in message text as the six characters \u0000.
  private static final LegacyOverrides JINJA2_SEMANTICS =
      LegacyOverrides.newBuilder()
          .withEvaluateMapKeys(true)
          .withIterateOverMapKeys(true)
          .withUseNaturalOperatorPrecedence(true)
          .withParseWhitespaceControlStrictly(true)
          .withAllowAdjacentTextNodes(true)
          .withUseTrimmingForNotesAndExpressions(true)
          .withKeepNullableLoopValues(true)
          .withHandleBackslashInQuotesOnly(true)
          .build();

  static final Jinjava JINJAVA;
  static final JinjavaConfig CONFIG;

  static {
    CONFIG =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            // The source's one trailing newline is dropped at compile, as Jinja2's lexer does.
            .withKeepTrailingNewline(true)
            .withLegacyOverrides(JINJA2_SEMANTICS)
            .withNestedInterpretationEnabled(false) // a value containing {{ }} stays text
            .withMaxRenderDepth(1)
            .withMaxOutputSize(ChatTemplate.MAX_OUTPUT_CHARS)
            .withMaxStringLength(ChatTemplate.MAX_OUTPUT_CHARS)
            .withMaxListSize(MAX_COLLECTION)
            .withMaxMapSize(MAX_COLLECTION)
            .withRangeLimit(PyFunctions.MAX_RANGE)
            .withEnableRecursiveMacroCalls(true)
            .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
            .withTimeZone(ZoneOffset.UTC)
            .withElResolver(resolvers())
            .withDisabled(disabled())
            .withProcessors(
                JinjavaProcessors.newBuilder()
                    .withNodePreProcessor(
                        (node, interpreter) -> {
                          RenderState state = RenderState.current();
                          if (state != null) {
                            state.beforeNode();
                          }
                        })
                    .build())
            .build();
    JINJAVA = new JinjaJinjava(CONFIG);
    JINJAVA.setResourceLocator(
        (name, encoding, interpreter) -> {
          throw new IOException("chat templates may not load other templates ('" + name + "')");
        });
    Context global = JINJAVA.getGlobalContext();
    global.registerTag(new JinjaSyntax.GenerationTag());
    global.registerExpTest(new JinjaSyntax.IterableTest("iterable"));
    global.registerExpTest(new JinjaSyntax.IterableTest("sequence"));
    global.registerFilter(new PyFunctions.ToJson());
    global.registerFilter(new PyFunctions.Items());
    global.registerFunction(function("raise_exception", "raiseException", Object.class));
    global.registerFunction(function("strftime_now", "strftimeNow", String.class));
    global.registerFunction(function("range", "range", Object[].class));
  }

  private SandboxedJinjava() {}

  /** Jinjava whose expressions parse with {@link JinjaSyntax}. */
  private static final class JinjaJinjava extends Jinjava {
    private final ExpressionFactory expressions;

    JinjaJinjava(JinjavaConfig config) {
      super(config);
      Properties properties = new Properties();
      properties.setProperty(TreeBuilder.class.getName(), JinjaSyntax.class.getName());
      expressions = new ExpressionFactoryImpl(properties, new TruthyTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
      return expressions;
    }
  }

  private static CompositeELResolver resolvers() {
    CompositeELResolver chain = new CompositeELResolver();
    chain.add(new SandboxResolver()); // first: Python methods, and refuses all other calls
    chain.add(new ArrayELResolver(true));
    chain.add(new JinjavaListELResolver(true));
    chain.add(new TypeConvertingMapELResolver(true));
    chain.add(new JinjavaBeanELResolver(true)); // reached only for filters, tests and loop
    return chain;
  }

  /** Everything Jinjava registers by default minus the allowlists, by library. */
  private static Map<Library, Set<String>> disabled() {
    Context defaults = new Jinjava().getGlobalContext();
    Map<Library, Set<String>> off = new EnumMap<>(Library.class);
    Set<String> tags = new HashSet<>();
    for (Tag t : defaults.getAllTags()) {
      if (!TAGS.contains(t.getName()) && !TAGS.contains(t.getName().replaceFirst("^end", ""))) {
        tags.add(t.getName());
      }
    }
    Set<String> filters = new HashSet<>();
    for (Filter f : defaults.getAllFilters()) {
      if (!FILTERS.contains(f.getName()) && !f.getName().equals("tojson")) {
        filters.add(f.getName());
      }
    }
    Set<String> functions = new HashSet<>();
    for (ELFunctionDefinition f : defaults.getAllFunctions()) {
      if (!FUNCTIONS.contains(f.getName()) && !f.getName().equals(":range")) {
        functions.add(f.getName());
      }
    }
    off.put(Library.TAG, tags);
    off.put(Library.FILTER, filters);
    off.put(Library.FUNCTION, functions);
    return off;
  }

  private static ELFunctionDefinition function(String name, String method, Class<?> parameter) {
    return new ELFunctionDefinition("", name, PyFunctions.class, method, parameter);
  }
}
