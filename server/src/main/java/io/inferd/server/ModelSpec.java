package io.inferd.server;

import java.nio.file.Path;

/** A {@code --model} argument: {@code NAME=PATH.gguf}, or just {@code PATH.gguf} (named by its file). */
public record ModelSpec(String name, Path path) {

  public static ModelSpec parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq == 0) {
      throw new IllegalArgumentException("--model " + spec + ": the name before '=' is empty");
    }
    if (eq > 0) {
      return new ModelSpec(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
    }
    return ofFile(Path.of(spec));
  }

  public static ModelSpec ofFile(Path file) {
    String fileName = file.getFileName().toString();
    String name = fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
    return new ModelSpec(name, file);
  }

  @Override
  public String toString() {
    return name + "=" + path;
  }
}
