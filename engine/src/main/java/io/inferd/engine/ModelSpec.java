package io.inferd.engine;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --model} argument: {@code NAME=PATH.gguf}, just {@code PATH.gguf} (named by its file),
 * {@code NAME=grpc://HOST:PORT#UPSTREAM_MODEL} for a model served by another ai.inference.v1
 * server, or {@code NAME=openai+http://HOST:PORT/v1#UPSTREAM_MODEL} for one served by an
 * OpenAI-compatible HTTP server ({@code openai+https://} too). Several servers of one model are
 * separated by {@code |} (the option itself splits on commas): {@code
 * NAME=openai+http://h1:8080/v1|http://h2:8080/v1#MODEL}. The base URL goes up to the API version;
 * inferd appends {@code /chat/completions}, {@code /embeddings} and {@code /models}.
 */
public record ModelSpec(String name, String location) {
  private static final String GRPC = "grpc://";
  private static final String OPENAI = "openai+";

  public static ModelSpec parse(String spec) {
    return parse("--model", spec);
  }

  /** {@code NAME=openai+http://…} for {@code --embedding-model}: only remote embedders exist. */
  public static ModelSpec parseEmbedding(String spec) {
    ModelSpec model = parse("--embedding-model", spec);
    if (!model.isOpenAiUpstream()) {
      throw new IllegalArgumentException(
          "--embedding-model "
              + spec
              + ": expected NAME=openai+http://HOST:PORT/v1#MODEL (an OpenAI-compatible server)");
    }
    return model;
  }

  private static ModelSpec parse(String option, String spec) {
    int eq = spec.indexOf('=');
    if (eq == 0) {
      throw new IllegalArgumentException(option + " " + spec + ": the name before '=' is empty");
    }
    if (eq > 0) {
      ModelSpec model = new ModelSpec(spec.substring(0, eq), spec.substring(eq + 1));
      if (model.isOpenAiUpstream()) {
        model.upstreamUrls(option); // fails now, with the option's name, on a bad URL
      }
      return model;
    }
    if (spec.startsWith(GRPC) || spec.startsWith(OPENAI)) {
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

  public boolean isGrpcUpstream() {
    return location.startsWith(GRPC);
  }

  public boolean isOpenAiUpstream() {
    return location.startsWith(OPENAI);
  }

  /** Served elsewhere: no local file. */
  public boolean isRemote() {
    return isGrpcUpstream() || isOpenAiUpstream();
  }

  /** {@code HOST:PORT} of a gRPC upstream. */
  public String upstreamTarget() {
    String rest = location.substring(GRPC.length());
    int hash = rest.indexOf('#');
    return hash < 0 ? rest : rest.substring(0, hash);
  }

  /** The base URLs of an OpenAI-compatible upstream, e.g. {@code http://h1:8080/v1}. */
  public List<URI> upstreamUrls() {
    return upstreamUrls("--model");
  }

  private List<URI> upstreamUrls(String option) {
    String rest = location;
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    List<URI> urls = new ArrayList<>();
    for (String part : rest.split("\\|", -1)) {
      String url = part.strip();
      if (url.startsWith(OPENAI)) {
        url = url.substring(OPENAI.length());
      }
      urls.add(httpUrl(option, url));
    }
    return urls;
  }

  private URI httpUrl(String option, String url) {
    String expected = "(expected: http://HOST:PORT/v1 or https://…, several separated by '|')";
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getQuery() != null) {
        throw new IllegalArgumentException(
            option + " " + this + ": '" + url + "' is not an http(s) base URL " + expected);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          option + " " + this + ": '" + url + "': " + e.getReason() + " " + expected, e);
    }
  }

  /** The model name to ask the upstream for; empty means its default. */
  public String upstreamModel() {
    int hash = location.indexOf('#');
    return hash < 0 ? "" : location.substring(hash + 1);
  }

  public Path path() {
    return Path.of(location);
  }

  @Override
  public String toString() {
    return name + "=" + location;
  }
}
