package io.inferd.engine.remote;

import io.inferd.engine.EngineProvider;
import io.inferd.engine.EngineSettings;
import io.inferd.engine.ModelSpec;
import io.inferd.engine.TextGenerator;
import java.util.Set;

/** {@code NAME=grpc://HOST:PORT#MODEL}: a model another ai.inference.v1 server runs. */
public final class GrpcEngineProvider implements EngineProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("grpc");
  }

  @Override
  public void check(String option, ModelSpec spec) {
    if (spec.address().isBlank()) {
      throw new IllegalArgumentException(option + " " + spec + ": expected grpc://HOST:PORT#MODEL");
    }
  }

  @Override
  public TextGenerator generator(ModelSpec spec, EngineSettings settings) {
    return GrpcUpstreamGenerator.connect(
        spec.address(), spec.remoteModel(), settings.remoteApiKey(), settings.parallel());
  }
}
