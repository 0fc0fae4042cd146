package io.inferd.engine;

import java.util.List;

/** A loaded sentence-embedding model; thread-safe. */
public interface Embedder extends AutoCloseable {

  /** Length of every vector this model returns. */
  int dimension();

  /** Embeds each text (none of them blank) into an L2-normalised vector, batching internally. */
  Embeddings embed(List<String> texts);

  @Override
  void close();

  /**
   * Vectors in the order of the texts, and the tokens the model's tokenizer counted for all of
   * them.
   */
  record Embeddings(List<float[]> vectors, int tokenCount) {
    public Embeddings {
      vectors = List.copyOf(vectors);
    }
  }
}
