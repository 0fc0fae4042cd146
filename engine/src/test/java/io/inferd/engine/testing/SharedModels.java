package io.inferd.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The real pretrained models in {@code ../shared/models}, when the checkout has them (the build
 * passes the folder as {@code inferd.shared.models}). Tests on them are skipped on a fresh clone
 * without it.
 */
public final class SharedModels {
  private SharedModels() {}

  public static Optional<Path> stories260k() {
    String dir = System.getProperty("inferd.shared.models");
    if (dir == null) {
      return Optional.empty();
    }
    Path file = Path.of(dir, "stories260K.gguf");
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }
}
