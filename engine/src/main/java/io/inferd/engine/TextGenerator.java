package io.inferd.engine;

import io.inferd.engine.grammar.ToolCallGrammar;
import java.util.List;
import java.util.Set;

/**
 * A loaded text-generation model. Implementations are thread-safe: up to {@link #parallelism()}
 * generations may run at once; each {@link #generate} call blocks its caller until it ends.
 */
public interface TextGenerator extends AutoCloseable {

  /** What an engine can honour beyond temperature, top_p, seed and max tokens. */
  enum Feature {
    /** top_k, min_p, repetition / presence / frequency penalties. */
    SAMPLERS,
    /** GBNF grammars ({@link Sampling#grammar()}), hence JSON schema and forced tool calls. */
    GRAMMAR,
    /** Per-token log-probabilities ({@link GenerationRequest#topLogprobs()}). */
    LOGPROBS,
    /** {@link #tokenize} and {@link #detokenize}. */
    TOKENIZE,
    /** Tool definitions rendered through the model's chat template. */
    TOOLS
  }

  /** Tokens one generation may use in all, prompt plus completion. */
  int contextLength();

  /** How many generations the model can run at the same time. */
  int parallelism();

  /** Renders a conversation with the model's chat template and counts its tokens. */
  Prompt render(List<Turn> conversation);

  /**
   * Renders a conversation with tool definitions the model may call.
   *
   * @throws UnsupportedOperationException when the model's chat template has no tool support
   */
  default Prompt render(List<Turn> conversation, List<ToolDefinition> tools) {
    if (!tools.isEmpty()) {
      throw new UnsupportedOperationException("this model's chat template does not support tools");
    }
    return render(conversation);
  }

  /**
   * How the model writes a tool call, as its chat template asks: bare JSON {@code {"name": ...,
   * "arguments": {...}}} or inside {@code <tool_call>} tags. Read only when {@link #features()}
   * holds {@link Feature#TOOLS}.
   */
  default ToolCallGrammar.Wrapping toolCallWrapping() {
    return ToolCallGrammar.Wrapping.NONE;
  }

  /** A prompt used as it is, without a chat template (OpenAI's /v1/completions). */
  default Prompt raw(String text) {
    throw new UnsupportedOperationException("this engine takes conversations only");
  }

  /**
   * Generates, calling {@code sink} for each token as soon as it is decoded, and returns when the
   * model stops, {@code maxTokens} are reached, or the sink returns {@code false}; the returned
   * text is the sink's pieces joined, up to and including the last one it was given.
   */
  Generation generate(GenerationRequest request, TokenSink sink);

  /**
   * Whether {@link #generate} waits while it generates (on a decode loop, an upstream server, a
   * clock) rather than computing on the calling thread throughout. A call executor of a few workers
   * is told about such a wait, so that it keeps others running; that costs a worker's wake-up per
   * call, which an engine that only computes is spared.
   */
  default boolean waitsWhileGenerating() {
    return true;
  }

  default Set<Feature> features() {
    return Set.of();
  }

  /**
   * The model's token ids for {@code text}; {@code addSpecial} adds what the model puts first
   * (BOS).
   */
  default int[] tokenize(String text, boolean addSpecial) {
    throw new UnsupportedOperationException("this engine cannot tokenize");
  }

  /** The text of {@code tokens}. */
  default String detokenize(int[] tokens) {
    throw new UnsupportedOperationException("this engine cannot detokenize");
  }

  @Override
  void close();
}
