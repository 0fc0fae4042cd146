package io.inferd.engine;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --model} argument: {@code NAME=LOCATION}, or just {@code PATH.gguf} (named by its file).
 * A location with a URI scheme ({@code grpc://…}, {@code openai+http://…}) is opened by the {@link
 * EngineProvider} of that scheme; one without is a local file. Several servers of one remote model
 * are separated by {@code |} (the option itself splits on commas), e.g. {@code
 * NAME=openai+http://h1:8080/v1|http://h2:8080/v1#MODEL}; what follows {@code #} is the model name
 * to ask the remote server for.
 */
public record ModelSpec(String name, String location) {
  private static final Pattern SCHEME = Pattern.compile("^([a-z][a-z0-9+.-]*)://");

  public static ModelSpec parse(String spec) {
    return parse("--model", spec);
  }

  /**
   * Parses {@code spec} as given to {@code option}; only {@code --model} accepts a bare file path.
   */
  public static ModelSpec parse(String option, String spec) {
    int eq = spec.indexOf('=');
    if (eq == 0) {
      throw new IllegalArgumentException(option + " " + spec + ": the name before '=' is empty");
    }
    if (eq > 0) {
      return new ModelSpec(spec.substring(0, eq), spec.substring(eq + 1));
    }
    if (SCHEME.matcher(spec).find()) {
      throw new IllegalArgumentException(
          option + " " + spec + ": a remote model needs a name, NAME=" + spec);
    }
    if (!option.equals("--model")) {
      throw new IllegalArgumentException(option + " " + spec + ": expected NAME=" + spec);
    }
    return ofFile(Path.of(spec));
  }

  public static ModelSpec ofFile(Path file) {
    String fileName = file.getFileName().toString();
    String name =
        fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
    return new ModelSpec(name, file.toString());
  }

  /** The location's URI scheme, e.g. {@code grpc} or {@code openai+http}; empty for a file. */
  public String scheme() {
    Matcher m = SCHEME.matcher(location);
    return m.find() ? m.group(1) : "";
  }

  /** Served elsewhere: no local file. */
  public boolean isRemote() {
    return !scheme().isEmpty();
  }

  /** The model name to ask a remote server for; empty means its default. */
  public String remoteModel() {
    int hash = location.indexOf('#');
    return hash < 0 ? "" : location.substring(hash + 1);
  }

  /** The location without its scheme and {@code #MODEL}: {@code HOST:PORT}, or URLs. */
  public String address() {
    int hash = location.indexOf('#');
    String rest = hash < 0 ? location : location.substring(0, hash);
    return rest.substring(scheme().isEmpty() ? 0 : scheme().length() + 3);
  }

  public Path path() {
    return Path.of(location);
  }

  @Override
  public String toString() {
    return name + "=" + location;
  }
}
