package io.inferd.app;

import io.inferd.engine.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where {@code inferd serve} looks for a generation model when none is given: the project's own
 * {@code models/} folder, then the shared test models beside the checkout.
 */
final class DefaultModels {
  private DefaultModels() {}

  static List<Path> searchPath(Path home) {
    return List.of(home.resolve("models"), home.resolve("../shared/models").normalize());
  }

  static Optional<ModelSpec> find(Path home) {
    for (Path dir : searchPath(home)) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        Optional<Path> first =
            files.filter(f -> f.getFileName().toString().endsWith(".gguf")).sorted().findFirst();
        if (first.isPresent()) {
          return first.map(ModelSpec::ofFile);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    return Optional.empty();
  }
}
