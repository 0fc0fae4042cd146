package io.inferd.engine.llama;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.Prompt;
import io.inferd.engine.PromptTooLongException;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.engine.grammar.ToolCallGrammar;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text generation from a GGUF file in-process through llama.cpp, bound with java.lang.foreign. One
 * {@link DecodeLoop} thread runs every generation of the model in one batch; each {@link #generate}
 * call waits on its caller's thread for its own tokens and hands them to the sink there, so a sink
 * that blocks (a slow client) pauses only its own sequence.
 */
public final class LlamaGenerator implements TextGenerator {
  private static final Logger log = LoggerFactory.getLogger(LlamaGenerator.class);
  private static final int BATCH_SIZE = 512;

  private final NativeModel model;
  private final NativeContext context;
  private final DecodeLoop loop; // its cells per sequence are this model's context length
  private final int parallel;
  private final ChatRenderer chat;

  private LlamaGenerator(
      NativeModel model, NativeContext context, DecodeLoop loop, int parallel, ChatRenderer chat) {
    this.model = model;
    this.context = context;
    this.loop = loop;
    this.parallel = parallel;
    this.chat = chat;
  }

  /**
   * Loads a GGUF model. The header is checked in Java first, so a wrong or truncated file is
   * reported clearly instead of reaching native code.
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
    long start = System.nanoTime();
    LlamaLibrary library;
    try {
      library = LlamaApi.LIB;
    } catch (LinkageError | IllegalStateException e) {
      // The first failure is an ExceptionInInitializerError with the reason; later ones repeat it.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ModelLoadException("cannot load " + file + ": " + cause.getMessage(), cause);
    }
    int gpuLayers =
        options.gpuLayers() == LlamaOptions.ALL_GPU_LAYERS
            ? (library.cudaBuilt() ? -1 : 0)
            : options.gpuLayers();
    NativeModel model;
    try {
      model = NativeModel.load(file, gpuLayers);
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(
          "llama.cpp "
              + library.version()
              + " could not load "
              + file
              + " (architecture "
              + arch
              + "): "
              + e.getMessage()
              + " (expected: a GGUF of an architecture this llama.cpp knows, whole, that fits"
              + " in memory)",
          e);
    }
    try {
      if (!model.usableForGeneration()) {
        throw new ModelLoadException(
            file
                + " ("
                + arch
                + "): encoder or recurrent models are not supported for text generation");
      }
      NativeContext context =
          NativeContext.create(
              model,
              options.parallel(),
              contextLength,
              BATCH_SIZE,
              options.threads(),
              options.flashAttention());
      int cellsPerSequence = Math.min(contextLength, context.size() / options.parallel());
      DecodeLoop loop =
          new DecodeLoop(
              model,
              context,
              options.parallel(),
              cellsPerSequence,
              BATCH_SIZE,
              file.getFileName().toString());
      loop.start();
      ChatRenderer chat = ChatRenderer.forModel(model, file);
      log.info(
          "loaded {} ({}, {} parameters) in {} ms with llama.cpp {}: context {} x {} sequences, {} threads,"
              + " {} GPU layers, flash attention {}, chat format {}",
          file.getFileName(),
          model.description(),
          model.parameters(),
          (System.nanoTime() - start) / 1_000_000,
          library.version(),
          cellsPerSequence,
          options.parallel(),
          options.threads(),
          gpuLayers,
          options.flashAttention().optionValue(),
          chat);
      return new LlamaGenerator(model, context, loop, options.parallel(), chat);
    } catch (RuntimeException e) {
      model.close();
      throw e instanceof ModelLoadException
          ? e
          : new ModelLoadException("cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int contextLength() {
    return loop.cellsPerSequence();
  }

  @Override
  public int parallelism() {
    return parallel;
  }

  @Override
  public Set<Feature> features() {
    Set<Feature> features =
        EnumSet.of(Feature.SAMPLERS, Feature.GRAMMAR, Feature.LOGPROBS, Feature.TOKENIZE);
    if (chat.supportsTools()) {
      features.add(Feature.TOOLS);
    }
    return features;
  }

  @Override
  public ToolCallGrammar.Wrapping toolCallWrapping() {
    return chat.toolCallWrapping();
  }

  /** Prompt tokens this model has decoded; what a slot reused is not counted. */
  long promptTokensDecoded() {
    return loop.promptTokensDecoded();
  }

  ChatRenderer.Format chatFormat() {
    return chat.format();
  }

  @Override
  public Prompt render(List<Turn> conversation) {
    return render(conversation, List.of());
  }

  @Override
  public Prompt render(List<Turn> conversation, List<ToolDefinition> tools) {
    String text = chat.render(conversation, tools);
    return new Prompt(text, countTokens(text), conversation);
  }

  @Override
  public Prompt raw(String text) {
    return new Prompt(text, countTokens(text));
  }

  int countTokens(String text) {
    return model.tokenize(text, true, true).length;
  }

  @Override
  public int[] tokenize(String text, boolean addSpecial) {
    return model.tokenize(text, addSpecial, true);
  }

  @Override
  public String detokenize(int[] tokens) {
    return model.detokenize(tokens);
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    requireNonNull(request, "request");
    requireNonNull(sink, "sink");
    int[] prompt = model.tokenize(request.prompt().text(), true, true);
    if (prompt.length == 0) {
      prompt = new int[] {model.bos() >= 0 ? model.bos() : model.eos()};
    }
    if (prompt.length >= loop.cellsPerSequence()) {
      throw new PromptTooLongException(
          "messages: the prompt ("
              + prompt.length
              + " tokens) does not fit the model's context of "
              + loop.cellsPerSequence()
              + " tokens (expected: a shorter prompt)",
          null);
    }
    SamplerChain sampler = SamplerChain.create(model, request.sampling());
    Sequence sequence = new Sequence(prompt, request, sampler);
    try {
      loop.submit(sequence);
    } catch (RuntimeException e) {
      sampler.close(); // the loop never saw it
      throw e;
    }
    StringBuilder text = new StringBuilder();
    int delivered = 0;
    try {
      while (true) {
        Sequence.Event event = sequence.events.take();
        if (event instanceof Sequence.Token(GeneratedToken token)) {
          text.append(token.text());
          delivered++;
          boolean more = sink.onToken(token);
          if (sequence.unacknowledged.decrementAndGet() <= Sequence.MAX_UNACKNOWLEDGED
              && sequence.paused) {
            sequence.paused = false;
            loop.wake();
          }
          if (!more) {
            cancel(sequence);
            return new Generation(
                text.toString(), prompt.length, delivered, FinishReason.CANCELLED);
          }
        } else if (event instanceof Sequence.End end) {
          if (end.error() != null) {
            throw end.error();
          }
          if (!end.tail().isEmpty()) {
            text.append(end.tail());
            if (!sink.onToken(GeneratedToken.of(end.tail(), -1))) {
              return new Generation(
                  text.toString(), prompt.length, delivered, FinishReason.CANCELLED);
            }
          }
          return new Generation(
              text.toString(),
              prompt.length,
              Math.max(delivered, end.completionTokens()),
              end.reason());
        }
      }
    } catch (InterruptedException e) {
      cancel(sequence);
      Thread.currentThread().interrupt();
      return new Generation(text.toString(), prompt.length, delivered, FinishReason.CANCELLED);
    } catch (RuntimeException | Error e) {
      cancel(sequence);
      throw e;
    }
  }

  private void cancel(Sequence sequence) {
    sequence.cancelled = true;
    loop.wake();
  }

  @Override
  public void close() {
    loop.stop();
    context.close();
    model.close();
  }
}
