package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.ModelRegistry;
import io.inferd.engine.ModelRegistry.NamedModel;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TextGenerator.Feature;

/** Tokenize and detokenize for both transports, on models whose engine can. */
public final class Tokenization {
  /** More ids than this in one request is a 400 (tokens are cheap, but not free). */
  public static final int MAX_TOKENS = 1 << 20;

  private final ModelRegistry models;

  public Tokenization(ModelRegistry models) {
    this.models = requireNonNull(models, "models");
  }

  /** A model's answer: its name and the token ids or the text. */
  public record Tokens(String model, int[] ids) {}

  public record Text(String model, String text) {}

  public Tokens tokenize(String model, String text, boolean addSpecial) {
    NamedModel<TextGenerator> named = capable(model);
    return new Tokens(named.name(), named.model().tokenize(text == null ? "" : text, addSpecial));
  }

  public Text detokenize(String model, int[] ids) {
    if (ids.length > MAX_TOKENS) {
      throw InvalidRequestException.field("tokens", ids.length + " ids", "at most " + MAX_TOKENS);
    }
    NamedModel<TextGenerator> named = capable(model);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0) {
        throw InvalidRequestException.field("tokens[" + i + "]", ids[i], ">= 0");
      }
    }
    try {
      return new Text(named.name(), named.model().detokenize(ids));
    } catch (IllegalArgumentException e) { // an id outside the vocabulary
      throw new InvalidRequestException("tokens: " + e.getMessage());
    }
  }

  private NamedModel<TextGenerator> capable(String model) {
    NamedModel<TextGenerator> named = models.generator(model == null ? "" : model);
    if (!named.model().features().contains(Feature.TOKENIZE)) {
      throw new InvalidRequestException(
          "model: '"
              + named.name()
              + "' cannot tokenize (expected: a model whose engine supports tokenize)");
    }
    return named;
  }
}
