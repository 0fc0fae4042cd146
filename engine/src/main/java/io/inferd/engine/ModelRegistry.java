package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded models by name. An empty name picks the default of its kind. Closing the registry
 * closes every model in it.
 */
public final class ModelRegistry implements AutoCloseable {
  private final Map<String, TextGenerator> generators;
  private final Map<String, Embedder> embedders;
  private final String defaultGenerator;
  private final String defaultEmbedder;

  private ModelRegistry(Builder builder) {
    this.generators = Collections.unmodifiableMap(new LinkedHashMap<>(builder.generators));
    this.embedders = Collections.unmodifiableMap(new LinkedHashMap<>(builder.embedders));
    this.defaultGenerator = pickDefault(builder.defaultGenerator, generators.keySet());
    this.defaultEmbedder = pickDefault(builder.defaultEmbedder, embedders.keySet());
  }

  private static String pickDefault(String requested, Set<String> names) {
    if (requested != null) {
      if (!names.contains(requested)) {
        throw new IllegalArgumentException(
            "default model '" + requested + "' is not among the loaded models " + names);
      }
      return requested;
    }
    return names.isEmpty() ? null : names.iterator().next();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The generator called {@code name}, or the default one for an empty name. */
  public NamedModel<TextGenerator> generator(String name) {
    return lookup("text-generation", generators, defaultGenerator, name);
  }

  /** The embedder called {@code name}, or the default one for an empty name. */
  public NamedModel<Embedder> embedder(String name) {
    return lookup("embedding", embedders, defaultEmbedder, name);
  }

  private static <T> NamedModel<T> lookup(
      String kind, Map<String, T> models, String defaultName, String name) {
    String wanted = (name == null || name.isEmpty()) ? defaultName : name;
    T model = wanted == null ? null : models.get(wanted);
    if (model == null) {
      throw new ModelNotFoundException(
          kind,
          wanted == null ? "" : wanted,
          models.isEmpty() ? List.of("(none)") : models.keySet());
    }
    return new NamedModel<>(wanted, model);
  }

  public Set<String> generatorNames() {
    return generators.keySet();
  }

  public Set<String> embedderNames() {
    return embedders.keySet();
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(generators.values());
    all.addAll(embedders.values());
    RuntimeException failure = null;
    for (AutoCloseable model : all) {
      try {
        model.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing models failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A model with the name it was found under. */
  public record NamedModel<T>(String name, T model) {}

  public static final class Builder {
    private final Map<String, TextGenerator> generators = new LinkedHashMap<>();
    private final Map<String, Embedder> embedders = new LinkedHashMap<>();
    private String defaultGenerator;
    private String defaultEmbedder;

    private Builder() {}

    public Builder generator(String name, TextGenerator generator) {
      putUnique(generators, name, generator);
      return this;
    }

    public Builder embedder(String name, Embedder embedder) {
      putUnique(embedders, name, embedder);
      return this;
    }

    public Builder defaultGenerator(String name) {
      this.defaultGenerator = name;
      return this;
    }

    public Builder defaultEmbedder(String name) {
      this.defaultEmbedder = name;
      return this;
    }

    private static <T> void putUnique(Map<String, T> map, String name, T model) {
      requireNonNull(name, "name");
      requireNonNull(model, "model");
      if (name.isBlank()) {
        throw new IllegalArgumentException("model name must not be blank");
      }
      if (map.putIfAbsent(name, model) != null) {
        throw new IllegalArgumentException("model '" + name + "' is configured twice");
      }
    }

    public ModelRegistry build() {
      return new ModelRegistry(this);
    }
  }
}
