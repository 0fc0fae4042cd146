package io.inferd.server;

import java.nio.file.Path;

/**
 * A {@code --model} argument: {@code NAME=PATH.gguf}, just {@code PATH.gguf} (named by its file), or
 * {@code NAME=grpc://HOST:PORT#UPSTREAM_MODEL} for a model served by another ai.inference.v1 server.
 */
public record ModelSpec(String name, String location) {
  private static final String GRPC = "grpc://";

  public static ModelSpec parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq == 0) {
      throw new IllegalArgumentException("--model " + spec + ": the name before '=' is empty");
    }
    if (eq > 0) {
      return new ModelSpec(spec.substring(0, eq), spec.substring(eq + 1));
    }
    if (spec.startsWith(GRPC)) {
      throw new IllegalArgumentException("--model " + spec + ": a remote model needs a name, NAME=" + spec);
    }
    return ofFile(Path.of(spec));
  }

  public static ModelSpec ofFile(Path file) {
    String fileName = file.getFileName().toString();
    String name = fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
    return new ModelSpec(name, file.toString());
  }

  public boolean isGrpcUpstream() {
    return location.startsWith(GRPC);
  }

  /** {@code HOST:PORT} of a gRPC upstream. */
  public String upstreamTarget() {
    String rest = location.substring(GRPC.length());
    int hash = rest.indexOf('#');
    return hash < 0 ? rest : rest.substring(0, hash);
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
