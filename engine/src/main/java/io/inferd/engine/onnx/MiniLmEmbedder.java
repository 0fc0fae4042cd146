package io.inferd.engine.onnx;

import static java.util.Objects.requireNonNull;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.inferd.engine.Embedder;
import io.inferd.engine.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (quantised, 384 dimensions) run in-process by ONNX Runtime; the model and its
 * tokenizer ship inside a Maven artifact, so nothing is downloaded.
 */
public final class MiniLmEmbedder implements Embedder {
  public static final String DEFAULT_NAME = "all-minilm-l6-v2";
  private static final Logger log = LoggerFactory.getLogger(MiniLmEmbedder.class);
  private static final int DIMENSION = 384;

  private final AllMiniLmL6V2QuantizedEmbeddingModel model;

  private MiniLmEmbedder(AllMiniLmL6V2QuantizedEmbeddingModel model) {
    this.model = model;
  }

  public static MiniLmEmbedder load() {
    // DJL (the tokenizer's runtime) phones home to cloud metadata endpoints unless told it is
    // offline.
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    long start = System.nanoTime();
    try {
      // Batches run on the caller's thread: the server bounds embedding concurrency itself.
      AllMiniLmL6V2QuantizedEmbeddingModel model =
          new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
      log.info("loaded {} in {} ms", DEFAULT_NAME, (System.nanoTime() - start) / 1_000_000);
      return new MiniLmEmbedder(model);
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException("cannot load the " + DEFAULT_NAME + " embedding model: " + e, e);
    }
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public Embeddings embed(List<String> texts) {
    requireNonNull(texts, "texts");
    if (texts.isEmpty()) {
      return new Embeddings(List.of(), 0);
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String text : texts) {
      segments.add(TextSegment.from(text));
    }
    Response<List<Embedding>> response = model.embedAll(segments);
    List<float[]> vectors = new ArrayList<>(texts.size());
    for (Embedding embedding : response.content()) {
      vectors.add(normalised(embedding.vector()));
    }
    Integer tokens = response.tokenUsage() == null ? null : response.tokenUsage().inputTokenCount();
    return new Embeddings(vectors, tokens == null ? 0 : tokens);
  }

  /**
   * The model's pooling already normalises; this keeps the contract whatever a future version does.
   */
  private static float[] normalised(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += (double) v * v;
    }
    double norm = Math.sqrt(sum);
    if (norm == 0 || Math.abs(norm - 1) < 1e-6) {
      return vector;
    }
    float[] out = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      out[i] = (float) (vector[i] / norm);
    }
    return out;
  }

  @Override
  public void close() {
    // ONNX Runtime's session lives as long as the class loader; nothing to release per instance.
  }
}
