package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.Embedder;
import io.inferd.engine.ModelRegistry.NamedModel;
import io.inferd.server.core.EmbeddingBatch;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.InferenceCore.EmbeddingResult;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.rest.OpenAiJson.EmbeddingRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** POST /v1/embeddings: one string or an array of them, as float arrays or OpenAI's base64. */
final class Embeddings implements Endpoint {
  /** How often a running batch looks whether its client closed the connection. */
  private static final long CLIENT_CHECK_MILLIS = 250;

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
    var model = core.models().embedder(request.model());
    if (request.dimensions() != null) {
      checkDimensions(request, model);
    }
    // Named before the work ends, so a client that leaves is counted under its model too.
    call.stats().model(model.name());
    CompletableFuture<EmbeddingResult> work = batch.finish();
    call.track(work);
    EmbeddingResult result = null;
    while (result == null) {
      try {
        result = work.get(CLIENT_CHECK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        if (RequestReadWatch.clientGone()) {
          work.cancel(false); // the embedding work stops before its next chunk of texts
          call.stats().note("client-gone");
          return "499";
        }
      } catch (InterruptedException e) {
        work.cancel(false);
        throw e;
      }
    }
    call.stats().addUsage(result.tokenCount(), 0);
    try {
      Json.send(res, OpenAiJson.embeddings(result, request.base64()));
    } catch (RuntimeException e) { // Helidon reports a closed socket unchecked
      return "499"; // the client closed the connection while its texts were embedded
    }
    return "200";
  }

  // OpenAI can shorten some models' vectors; inferd's models have one size, so say so.
  private static void checkDimensions(EmbeddingRequest request, NamedModel<Embedder> model) {
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
