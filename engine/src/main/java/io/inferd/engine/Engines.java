package io.inferd.engine;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The engine providers by scheme: local GGUF files, plus every provider on the class path. */
public final class Engines {
  private final Map<String, EngineProvider> byScheme = new TreeMap<>();

  private Engines(List<EngineProvider> providers) {
    for (EngineProvider provider : providers) {
      for (String scheme : provider.schemes()) {
        if (byScheme.putIfAbsent(scheme, provider) != null) {
          throw new IllegalStateException("two engine providers for scheme '" + scheme + "'");
        }
      }
    }
  }

  /** Local files and the providers {@link ServiceLoader} finds (engine-remote's, when present). */
  public static Engines installed() {
    List<EngineProvider> providers = new ArrayList<>(List.of(new LocalFiles()));
    ServiceLoader.load(EngineProvider.class).forEach(providers::add);
    return new Engines(providers);
  }

  public static Engines of(List<EngineProvider> providers) {
    return new Engines(providers);
  }

  /** Fails with a message naming {@code option} unless a provider can open {@code spec}. */
  public void check(String option, ModelSpec spec) {
    provider(option, spec).check(option, spec);
  }

  /** As {@link #check}, for an embedding model. */
  public void checkEmbedder(String option, ModelSpec spec) {
    EngineProvider provider = provider(option, spec);
    if (!provider.servesEmbeddings()) {
      throw new IllegalArgumentException(
          option
              + " "
              + spec
              + ": "
              + describe(spec)
              + " models serve no embeddings (expected: "
              + embeddingSchemes()
              + ")");
    }
    provider.check(option, spec);
  }

  public TextGenerator generator(ModelSpec spec, EngineSettings settings) {
    return provider("--model", spec).generator(spec, settings);
  }

  public Embedder embedder(ModelSpec spec, EngineSettings settings) {
    return provider("--embedding-model", spec).embedder(spec, settings);
  }

  private EngineProvider provider(String option, ModelSpec spec) {
    requireNonNull(spec, "spec");
    EngineProvider provider = byScheme.get(spec.scheme());
    if (provider == null) {
      throw new IllegalArgumentException(
          option
              + " "
              + spec
              + ": no engine for '"
              + spec.scheme()
              + "://' (expected: a .gguf file"
              + " or one of "
              + remoteSchemes()
              + ")");
    }
    return provider;
  }

  private static String describe(ModelSpec spec) {
    return spec.scheme().isEmpty() ? "local file" : spec.scheme() + "://";
  }

  private Set<String> remoteSchemes() {
    var schemes = new TreeSet<>(byScheme.keySet());
    schemes.remove("");
    return schemes;
  }

  private String embeddingSchemes() {
    var schemes = new TreeSet<String>();
    byScheme.forEach(
        (scheme, provider) -> {
          if (provider.servesEmbeddings()) {
            schemes.add(scheme + "://");
          }
        });
    return "NAME=" + String.join(" or ", schemes) + "…";
  }

  /** GGUF files, run in-process by llama.cpp. */
  private static final class LocalFiles implements EngineProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("");
    }

    @Override
    public TextGenerator generator(ModelSpec spec, EngineSettings settings) {
      return LlamaGenerator.load(
          spec.path(),
          new LlamaOptions(
              settings.threads(),
              settings.parallel(),
              settings.contextTokens(),
              settings.gpuLayers(),
              settings.flashAttention()));
    }
  }
}
