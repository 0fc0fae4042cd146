package io.inferd.engine.grammar;

import java.util.Optional;

/**
 * A JSON Schema the grammar cannot express exactly. Rather than a looser grammar (output that would
 * not validate), the caller gets this, naming where and what: {@code schema at /properties/name:
 * keyword "pattern" is not supported}. The REST gateway answers it with 400.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {
  private final String path;
  private final String keyword;

  UnsupportedSchemaException(String path, String keyword, String detail) {
    super("schema at " + (path.isEmpty() ? "(root)" : path) + ": " + detail);
    this.path = path;
    this.keyword = keyword;
  }

  private UnsupportedSchemaException(String context, UnsupportedSchemaException e) {
    super(context + ": " + e.getMessage(), e);
    this.path = e.path;
    this.keyword = e.keyword;
  }

  /** The JSON pointer (within the schema document) of the schema that failed; "" for the root. */
  public String path() {
    return path;
  }

  /** The keyword that cannot be expressed, if one is to blame (not for size limits). */
  public Optional<String> keyword() {
    return Optional.ofNullable(keyword);
  }

  static UnsupportedSchemaException keyword(String path, String keyword) {
    return new UnsupportedSchemaException(
        path, keyword, "keyword \"" + keyword + "\" is not supported");
  }

  static UnsupportedSchemaException keyword(String path, String keyword, String why) {
    return new UnsupportedSchemaException(path, keyword, "keyword \"" + keyword + "\" " + why);
  }

  /** The same failure seen from an enclosing context, e.g. {@code tool "get_weather": ...}. */
  UnsupportedSchemaException within(String context) {
    return new UnsupportedSchemaException(context, this);
  }
}
