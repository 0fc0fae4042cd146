package io.inferd.server.core;

import io.inferd.server.core.InferenceCore.EmbeddingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Texts of one embedding request, checked as they arrive so a bad stream fails at its first bad
 * message. Not thread-safe: one transport thread feeds it.
 */
public final class EmbeddingBatch {
  private final InferenceCore core;
  private final List<String> texts = new ArrayList<>();
  private String model;

  EmbeddingBatch(InferenceCore core) {
    this.core = core;
  }

  /** Adds the next text; every text of a batch must name the same model (or leave it empty). */
  public void add(String requestedModel, String text) {
    int index = texts.size();
    String name = requestedModel == null ? "" : requestedModel;
    if (model == null) {
      core.models().embedder(name); // unknown model: NOT_FOUND at the first message
      model = name;
    } else if (!model.equals(name)) {
      throw InvalidRequestException.field(
          "[" + index + "].model",
          "'" + name + "'",
          "the same model as earlier texts, '" + model + "'");
    }
    if (text == null || text.isBlank()) {
      throw InvalidRequestException.field("[" + index + "].text", "blank", "a non-blank text");
    }
    if (index >= core.limits().maxEmbedTexts()) {
      throw new LimitExceededException(
          "texts in one batch", index + 1, core.limits().maxEmbedTexts(), "--max-embed-texts");
    }
    texts.add(text);
  }

  public int size() {
    return texts.size();
  }

  /** Embeds every text added; an empty batch is a client mistake. */
  public CompletableFuture<EmbeddingResult> finish() {
    if (texts.isEmpty()) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException("texts: none (expected: at least one text to embed)"));
    }
    return core.embed(model, List.copyOf(texts));
  }
}
