package io.inferd.engine.remote;

import io.inferd.engine.Embedder;
import io.inferd.engine.EngineProvider;
import io.inferd.engine.EngineSettings;
import io.inferd.engine.ModelSpec;
import io.inferd.engine.TextGenerator;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code NAME=openai+http://HOST:PORT/v1#MODEL} ({@code openai+https} too): a model an
 * OpenAI-compatible server runs, for chat completions and embeddings. Several servers of one model
 * are separated by {@code |}; the base URL goes up to the API version, and inferd appends {@code
 * /chat/completions}, {@code /embeddings} and {@code /models}.
 */
public final class OpenAiEngineProvider implements EngineProvider {
  private static final String PREFIX = "openai+";

  @Override
  public Set<String> schemes() {
    return Set.of("openai+http", "openai+https");
  }

  @Override
  public void check(String option, ModelSpec spec) {
    urls(option, spec);
  }

  @Override
  public TextGenerator generator(ModelSpec spec, EngineSettings settings) {
    return new OpenAiUpstreamGenerator(upstream("--model", spec, settings), settings.parallel());
  }

  @Override
  public boolean servesEmbeddings() {
    return true;
  }

  @Override
  public Embedder embedder(ModelSpec spec, EngineSettings settings) {
    return new OpenAiUpstreamEmbedder(
        upstream("--embedding-model", spec, settings), OpenAiUpstreamEmbedder.TIMEOUT);
  }

  private static OpenAiUpstream upstream(String option, ModelSpec spec, EngineSettings settings) {
    return OpenAiUpstream.connect(
        urls(option, spec),
        spec.remoteModel(),
        settings.remoteApiKey(),
        UpstreamPool.Settings.defaults());
  }

  /** The base URLs, e.g. {@code http://h1:8080/v1}; each may repeat the {@code openai+} prefix. */
  static List<URI> urls(String option, ModelSpec spec) {
    String location = spec.location();
    int hash = location.indexOf('#');
    String rest = hash < 0 ? location : location.substring(0, hash);
    List<URI> urls = new ArrayList<>();
    for (String part : rest.split("\\|", -1)) {
      String url = part.strip();
      if (url.startsWith(PREFIX)) {
        url = url.substring(PREFIX.length());
      }
      urls.add(httpUrl(option, spec, url));
    }
    return urls;
  }

  private static URI httpUrl(String option, ModelSpec spec, String url) {
    String expected = "(expected: http://HOST:PORT/v1 or https://…, several separated by '|')";
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getQuery() != null) {
        throw new IllegalArgumentException(
            option + " " + spec + ": '" + url + "' is not an http(s) base URL " + expected);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          option + " " + spec + ": '" + url + "': " + e.getReason() + " " + expected, e);
    }
  }
}
