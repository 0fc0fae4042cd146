package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.Embedder;
import io.inferd.server.core.EmbeddingBatch;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.InferenceCore.EmbeddingResult;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.rest.OpenAiJson.EmbeddingRequest;

/** POST /v1/embeddings: one string or an array of them, as float arrays or OpenAI's base64. */
final class Embeddings implements Endpoint {
  private final InferenceCore core;

  Embeddings(InferenceCore core) {
    this.core = requireNonNull(core, "core");
  }

  @Override
  public String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception {
    EmbeddingRequest request =
        OpenAiJson.embeddingRequest(Json.parseObject(RequestBodyErrors.read(req)));
    EmbeddingBatch batch = core.newEmbeddingBatch();
    for (String text : request.texts()) {
      batch.add(request.model(), text);
    }
    if (request.dimensions() != null) {
      checkDimensions(request);
    }
    EmbeddingResult result = call.await(batch.finish());
    call.stats().model(result.model());
    call.stats().addUsage(result.tokenCount(), 0);
    try {
      Json.send(res, OpenAiJson.embeddings(result, request.base64()));
    } catch (RuntimeException e) { // Helidon reports a closed socket unchecked
      return "499"; // the client closed the connection while its texts were embedded
    }
    return "200";
  }

  // OpenAI can shorten some models' vectors; inferd's models have one size, so say so.
  private void checkDimensions(EmbeddingRequest request) {
    var model = core.models().embedder(request.model());
    Embedder embedder = model.model();
    if (request.dimensions() != embedder.dimension()) {
      throw new InvalidRequestException(
          "dimensions: "
              + request.dimensions()
              + " (expected: "
              + embedder.dimension()
              + ", the size of model '"
              + model.name()
              + "'; inferd does not shorten embeddings)");
    }
  }
}
