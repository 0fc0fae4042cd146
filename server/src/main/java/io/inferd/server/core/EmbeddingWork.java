package io.inferd.server.core;

import io.inferd.engine.Embedder;
import io.inferd.engine.ModelRegistry.NamedModel;
import io.inferd.engine.QueueFullException;
import io.inferd.server.core.InferenceCore.EmbeddingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One embedding batch on the embedding threads, a chunk of texts at a time: between chunks it
 * checks whether its future was cancelled (client gone, deadline passed, server stopping), so an
 * abandoned batch of thousands of texts frees its thread within one chunk.
 */
final class EmbeddingWork {
  /** Texts embedded between two cancellation checks. */
  static final int CHUNK = 16;

  /** Batches that may wait for an embedding thread; more are refused at once. */
  static final int QUEUE = 32;

  private EmbeddingWork() {}

  static CompletableFuture<EmbeddingResult> submit(
      ExecutorService threads, NamedModel<Embedder> model, List<String> texts) {
    var result = new CompletableFuture<EmbeddingResult>();
    try {
      threads.execute(() -> run(model, texts, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          threads.isShutdown()
              ? new ShuttingDownException()
              : new QueueFullException(
                  "server busy: " + QUEUE + " embedding batches are already waiting; retry later",
                  1_000));
    }
    return result;
  }

  private static void run(
      NamedModel<Embedder> model, List<String> texts, CompletableFuture<EmbeddingResult> result) {
    try {
      List<float[]> vectors = new ArrayList<>(texts.size());
      int tokens = 0;
      for (int from = 0; from < texts.size(); from += CHUNK) {
        if (result.isDone()) {
          return; // cancelled: nobody waits for the rest
        }
        Embedder.Embeddings chunk =
            model.model().embed(texts.subList(from, Math.min(texts.size(), from + CHUNK)));
        vectors.addAll(chunk.vectors());
        tokens += chunk.tokenCount();
      }
      result.complete(new EmbeddingResult(model.name(), vectors, tokens));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }
}
