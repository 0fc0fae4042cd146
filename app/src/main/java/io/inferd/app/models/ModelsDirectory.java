package io.inferd.app.models;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where pulled models go: {@code --models-dir}, else {@code $INFERD_MODELS_DIR}, else {@code
 * models-cache/} in the inferd checkout (git ignores it). The checkout's own {@code models/} holds
 * the default model that ships with inferd.
 */
final class ModelsDirectory {
  static final String ENV = "INFERD_MODELS_DIR";
  static final String CACHE = "models-cache";
  static final String BUNDLED = "models";

  private ModelsDirectory() {}

  /**
   * The inferd checkout: {@code -Dinferd.home} (set by the launcher), else the working directory.
   */
  static Path home() {
    return Path.of(System.getProperty("inferd.home", "."));
  }

  static Path pulled(Path option, Map<String, String> env) {
    if (option != null) {
      return option;
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return home().resolve(CACHE).normalize();
  }

  static Path bundled() {
    return home().resolve(BUNDLED).normalize();
  }
}
