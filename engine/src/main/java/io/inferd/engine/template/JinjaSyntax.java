package io.inferd.engine.template;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import java.util.Collection;
import java.util.Map;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;

/**
 * Where Jinjava's expression language parts from Jinja2 in ways chat templates hit.
 *
 * <p>{@code not} binds tighter than {@code is} and {@code ==} in Jinjava (EL's unary {@code !}),
 * so {@code not tools is defined} meant {@code (not tools) is defined}. Jinja2 parses {@code not}
 * just above {@code and}/{@code or}; the parser here does the same.
 */
public final class JinjaSyntax extends ExtendedSyntaxBuilder {
  private static final long serialVersionUID = 1L;

  /** Jinjava's expression factory instantiates the builder by name, with its features. */
  public JinjaSyntax(Feature... features) {
    super(features);
  }

  @Override
  protected Parser createParser(String expression) {
    return new JinjaParser(this, expression);
  }

  private static final class JinjaParser extends ExtendedParser {
    JinjaParser(JinjaSyntax builder, String expression) {
      super(builder, expression);
    }

    @Override
    protected AstNode eq(boolean required) throws Scanner.ScanException, ParseException {
      if (getToken().getSymbol() == Scanner.Symbol.NOT) {
        consumeToken();
        return createAstUnary(eq(true), AstUnary.NOT);
      }
      return super.eq(required);
    }
  }

  /** Jinja2's {@code iterable}: strings and dicts iterate too. */
  static final class Iterable implements ExpTest {
    @Override
    public String getName() {
      return "iterable";
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      return var instanceof CharSequence
          || var instanceof Collection
          || var instanceof Map
          || (var != null && var.getClass().isArray());
    }
  }

  /** Jinja2's {@code sequence} (has a length and indexes): strings, lists and dicts. */
  static final class Sequence implements ExpTest {
    @Override
    public String getName() {
      return "sequence";
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      return new Iterable().evaluate(var, interpreter, args);
    }
  }
}
