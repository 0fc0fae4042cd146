package io.inferd.engine.template;

import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.MethodNotFoundException;

/**
 * First in the resolver chain: answers the Python methods chat templates call on strings and dicts
 * ({@code .strip()}, {@code .items()}, ...), and refuses every other method call and bean property,
 * so a template reaches no Java method of a context object (Jinjava's default resolver would call
 * any public one). Only Jinjava's own filter, test and {@code loop} objects fall through to its
 * bean resolver. Mutating methods are refused too, as in Hugging Face's
 * ImmutableSandboxedEnvironment.
 */
final class SandboxResolver extends ELResolver {

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (base == null || method == null) {
      return null;
    }
    String name = method.toString();
    if (isJinjavaInternal(base, name)) {
      return null; // the bean resolver after this one calls it
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result =
        switch (base) {
          case String s -> PyStr.call(s, name, args);
          case SafeString s -> PyStr.call(s.toString(), name, args);
          case Map<?, ?> m -> dictMethod(m, name, args);
          default -> throw refused(base, name);
        };
    context.setPropertyResolved(true);
    return result;
  }

  private static boolean isJinjavaInternal(Object base, String method) {
    return (base instanceof Filter && method.equals("filter"))
        || (base instanceof ExpTest
            && (method.equals("evaluate") || method.equals("evaluateNegated")))
        || (base instanceof ForLoop && method.equals("cycle"));
  }

  private static Object dictMethod(Map<?, ?> map, String name, Object[] args) {
    switch (name) {
      case "items" -> {
        List<Object> items = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
          items.add(new ArrayList<>(java.util.Arrays.asList(e.getKey(), e.getValue())));
        }
        return items;
      }
      case "keys" -> {
        return new ArrayList<>(map.keySet());
      }
      case "values" -> {
        return new ArrayList<>(map.values());
      }
      case "get" -> {
        if (args.length < 1 || args.length > 2) {
          throw new IllegalArgumentException("dict.get takes 1 or 2 arguments");
        }
        Object key = args[0];
        if (map.containsKey(key)) {
          return map.get(key);
        }
        return args.length == 2 ? args[1] : null;
      }
      default -> throw refused(map, name);
    }
  }

  private static MethodNotFoundException refused(Object base, String method) {
    return new MethodNotFoundException(
        "'"
            + pyType(base)
            + "' object has no method '"
            + method
            + "' (the chat template sandbox"
            + " allows str and dict methods only)");
  }

  static String pyType(Object o) {
    return switch (o) {
      case null -> "NoneType";
      case CharSequence s -> "str";
      case SafeString s -> "str";
      case Map<?, ?> m -> "dict";
      case Collection<?> c -> "list";
      case Boolean b -> "bool";
      case Long l -> "int";
      case Integer i -> "int";
      case Number n -> "float";
      default -> o.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    };
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    if (base == null
        || base instanceof Map
        || base instanceof List
        || base.getClass().isArray()
        || base instanceof ForLoop) {
      return null; // the map, list, array and loop resolvers after this one answer
    }
    context.setPropertyResolved(true);
    // Jinjava hands the index over as text ("-1").
    if (base instanceof String s && property != null && property.toString().matches("-?\\d{1,9}")) {
      long n = Long.parseLong(property.toString());
      long i = n < 0 ? s.length() + n : n;
      return i >= 0 && i < s.length() ? String.valueOf(s.charAt((int) i)) : null;
    }
    // Any other object: no bean properties (str has no attributes in Jinja either).
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
