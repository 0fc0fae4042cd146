package io.inferd.engine.template;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.LengthLimitingStringBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;

/**
 * Where Jinjava's expression language parts from Jinja2 in ways chat templates hit.
 *
 * <p>{@code not} binds tighter than {@code is} and {@code ==} in Jinjava (EL's unary {@code !}), so
 * {@code not tools is defined} meant {@code (not tools) is defined}. Jinja2 parses {@code not} just
 * above {@code and}/{@code or}; the parser here does the same. And a keyword argument takes a whole
 * expression ({@code namespace(last=messages|length - 1)}), where Jinjava's {@code =} bound like
 * {@code +}.
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

    // Jinjava scans "+1" as unary plus, so "n+1" (no spaces) failed to parse; here it adds.
    @Override
    protected AstNode add(boolean required) throws Scanner.ScanException, ParseException {
      AstNode v = mul(required);
      if (v == null) {
        return null;
      }
      while (true) {
        Scanner.Token token = getToken();
        switch (token.getSymbol()) {
          case PLUS -> {
            consumeToken();
            v = createAstBinary(v, mul(true), AdditionOperator.OP);
          }
          case MINUS -> {
            consumeToken();
            v = createAstBinary(v, mul(true), AstBinary.SUB);
          }
          case EXTENSION -> {
            if ("+".equals(token.getImage())) {
              consumeToken();
              v = createAstBinary(v, mul(true), AdditionOperator.OP);
            } else if (getExtensionHandler(token).getExtensionPoint() == ExtensionPoint.ADD) {
              v = getExtensionHandler(consumeToken()).createAstNode(v, mul(true));
            } else {
              return v;
            }
          }
          default -> {
            return v;
          }
        }
      }
    }

    @Override
    protected AstParameters params(Scanner.Symbol left, Scanner.Symbol right)
        throws Scanner.ScanException, ParseException {
      consumeToken(left);
      List<AstNode> list = new ArrayList<>();
      AstNode v = param(false);
      if (v != null) {
        list.add(v);
        while (getToken().getSymbol() == Scanner.Symbol.COMMA) {
          consumeToken();
          list.add(param(true));
        }
      }
      consumeToken(right);
      return createAstParameters(list);
    }

    private AstNode param(boolean required) throws Scanner.ScanException, ParseException {
      if (getToken().getSymbol() == Scanner.Symbol.IDENTIFIER
          && "=".equals(lookahead(0).getImage())) {
        String name = consumeToken().getImage();
        consumeToken(); // '='
        return NamedParameterOperator.HANDLER.createAstNode(identifier(name), expr(true));
      }
      return expr(required);
    }
  }

  /**
   * Jinja2's {@code iterable}, where strings and dicts iterate too, and {@code sequence} (has a
   * length and indexes): the same values here, strings, lists and dicts (and arrays).
   */
  static final class IterableTest implements ExpTest {
    private final String name;

    /** {@code name}: "iterable" or "sequence". */
    IterableTest(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      return var instanceof CharSequence
          || var instanceof Collection
          || var instanceof Map
          || (var != null && var.getClass().isArray());
    }
  }

  /**
   * {@code {% generation %}...{% endgeneration %}}: Hugging Face's marker for the assistant's
   * tokens (for training masks); for a prompt it renders its body.
   */
  static final class GenerationTag implements Tag {
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      LengthLimitingStringBuilder out =
          new LengthLimitingStringBuilder(interpreter.getConfig().getMaxOutputSize());
      for (Node child : tagNode.getChildren()) {
        out.append(child.render(interpreter).getValue());
      }
      return out.toString();
    }
  }
}
