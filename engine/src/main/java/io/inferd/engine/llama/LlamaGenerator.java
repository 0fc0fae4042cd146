package io.inferd.engine.llama;

import static java.util.Objects.requireNonNull;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.Prompt;
import io.inferd.engine.PromptTooLongException;
import io.inferd.engine.Role;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text generation from a GGUF file in-process through llama.cpp (java-llama.cpp). llama.cpp's server
 * task queue runs {@link LlamaOptions#parallel()} generations at once, each in its own slot with
 * {@link #contextLength()} tokens.
 */
public final class LlamaGenerator implements TextGenerator {
  private static final Logger log = LoggerFactory.getLogger(LlamaGenerator.class);

  private static final int SLOT_MARGIN_TOKENS = 32;

  private final LlamaModel model;
  private final int contextLength;
  private final int parallel;
  private final ChatFormat chatFormat;
  private final boolean addsBos;

  private LlamaGenerator(
      LlamaModel model, int contextLength, int parallel, ChatFormat chatFormat, boolean addsBos) {
    this.model = model;
    this.contextLength = contextLength;
    this.parallel = parallel;
    this.chatFormat = chatFormat;
    this.addsBos = addsBos;
  }

  /**
   * Loads a GGUF model. The header is checked in Java first, so a wrong or truncated file is reported
   * clearly instead of reaching native code.
   */
  public static LlamaGenerator load(Path file, LlamaOptions options) {
    requireNonNull(file, "file");
    requireNonNull(options, "options");
    GgufHeader header = GgufHeader.read(file);
    String arch = header.architecture().orElse("?");
    int trainedContext = (int) Math.min(Integer.MAX_VALUE, header.contextLength().orElse(2048));
    int contextLength =
        options.contextLength() > 0
            ? Math.min(options.contextLength(), trainedContext)
            : Math.min(trainedContext, LlamaOptions.DEFAULT_CONTEXT);
    ChatFormat chatFormat =
        header.chatTemplate().isPresent() ? ChatFormat.MODEL_TEMPLATE : ChatFormat.PLAIN;
    // SentencePiece ("llama") vocabularies prepend <s> unless the file says otherwise.
    boolean addsBos =
        header
            .bool("tokenizer.ggml.add_bos_token")
            .orElse(header.string("tokenizer.ggml.model").map("llama"::equals).orElse(false));

    NativeLibrary.prepare();
    ModelParameters params =
        new ModelParameters()
            .setModel(file.toAbsolutePath().toString())
            .setThreads(options.threads())
            .setThreadsBatch(options.threads())
            .setParallel(options.parallel())
            // Each slot gets a little more KV than the context inferd promises: llama.cpp's own count
            // of a templated prompt can run a few tokens above encode()'s.
            .setCtxSize((contextLength + SLOT_MARGIN_TOKENS) * options.parallel())
            // Without Jinja llama.cpp swaps a model's own chat template for its generic ChatML.
            .enableJinja()
            .disableLog();
    long start = System.nanoTime();
    LlamaModel model;
    try {
      model = new LlamaModel(params);
    } catch (RuntimeException e) { // LlamaException is package-private in java-llama.cpp
      throw new ModelLoadException(
          "llama.cpp could not load " + file + " (" + arch + "): " + e.getMessage(), e);
    }
    log.info(
        "loaded {} ({}, {} tensors) in {} ms: context {} x {} slots, {} threads, chat format {}",
        file.getFileName(),
        arch,
        header.tensorCount(),
        (System.nanoTime() - start) / 1_000_000,
        contextLength,
        options.parallel(),
        options.threads(),
        chatFormat);
    return new LlamaGenerator(model, contextLength, options.parallel(), chatFormat, addsBos);
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  @Override
  public int parallelism() {
    return parallel;
  }

  ChatFormat chatFormat() {
    return chatFormat;
  }

  @Override
  public Prompt render(List<Turn> conversation) {
    String text =
        switch (chatFormat) {
          case MODEL_TEMPLATE -> model.applyTemplate(templateParameters(conversation));
          case PLAIN -> plainText(conversation);
        };
    return new Prompt(text, countTokens(text), conversation);
  }

  private static InferenceParameters templateParameters(List<Turn> conversation) {
    StringBuilder system = new StringBuilder();
    List<Pair<String, String>> messages = new ArrayList<>();
    for (Turn turn : conversation) {
      if (turn.role() == Role.SYSTEM) {
        system.append(system.isEmpty() ? "" : "\n").append(turn.content());
      } else {
        messages.add(new Pair<>(turn.role().wireName(), turn.content()));
      }
    }
    return new InferenceParameters("").setMessages(system.toString(), messages);
  }

  /**
   * A model without a chat template is a plain language model: it continues the text it is given, so
   * the conversation is its contents, one per line.
   */
  private static String plainText(List<Turn> conversation) {
    StringBuilder text = new StringBuilder();
    for (Turn turn : conversation) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(turn.content());
    }
    return text.toString();
  }

  int countTokens(String text) {
    return model.encode(text).length + (addsBos ? 1 : 0);
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    requireNonNull(request, "request");
    requireNonNull(sink, "sink");
    InferenceParameters params =
        new InferenceParameters(request.prompt().text())
            .setNPredict(request.maxTokens())
            .setTemperature(request.sampling().temperature())
            .setTopP(request.sampling().topP())
            .setSeed(request.sampling().seed().orElse(-1))
            // A slot's cached prompt prefix changes the numerics: the same seed must give the same text.
            .setCachePrompt(false);
    StringBuilder text = new StringBuilder();
    int tokens = 0;
    FinishReason reason = null;
    LlamaIterator outputs = model.generate(params).iterator();
    try {
      while (outputs.hasNext()) {
        LlamaOutput output = next(outputs, request);
        // The iterator's last output is llama.cpp's end marker, not a token; it may carry held-back text.
        boolean endMarker = !outputs.hasNext();
        if (!endMarker) {
          tokens++;
        }
        if (endMarker && output.text.isEmpty()) {
          break;
        }
        text.append(output.text);
        if (!sink.onToken(output.text)) {
          reason = FinishReason.CANCELLED;
          break;
        }
      }
    } finally {
      if (outputs.hasNext()) {
        outputs.cancel(); // frees the llama.cpp slot at once; the model stays usable
      }
    }
    if (reason == null) {
      reason = tokens >= request.maxTokens() ? FinishReason.LENGTH : FinishReason.STOP;
    }
    return new Generation(text.toString(), request.prompt().tokenCount(), tokens, reason);
  }

  /** llama.cpp's own prompt check can disagree with {@link #render}'s count by a few tokens. */
  private LlamaOutput next(LlamaIterator outputs, GenerationRequest request) {
    try {
      return outputs.next();
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("too big compared to KV size")) {
        throw new PromptTooLongException(
            "messages: the prompt (about "
                + request.prompt().tokenCount()
                + " tokens) does not fit the model's context of "
                + contextLength
                + " tokens (expected: a shorter prompt)",
            e);
      }
      throw e;
    }
  }

  @Override
  public void close() {
    model.close();
  }

  /** How a conversation becomes the prompt. */
  enum ChatFormat {
    /** The model's own {@code tokenizer.chat_template}, applied by llama.cpp. */
    MODEL_TEMPLATE,
    /** No template in the file: the contents as plain text, for the model to continue. */
    PLAIN
  }
}
