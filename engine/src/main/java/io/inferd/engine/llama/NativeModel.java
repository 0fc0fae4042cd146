package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A llama.cpp model (weights memory-mapped) and its vocabulary; the vocabulary calls are
 * thread-safe.
 */
final class NativeModel implements AutoCloseable {
  private final MemorySegment model;
  private final MemorySegment vocab;
  private final int vocabSize;
  private final boolean addsBos;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NativeModel(MemorySegment model) throws Throwable {
    this.model = model;
    this.vocab = (MemorySegment) LlamaApi.model_get_vocab.invokeExact(model);
    this.vocabSize = (int) LlamaApi.vocab_n_tokens.invokeExact(vocab);
    this.addsBos = (boolean) LlamaApi.vocab_get_add_bos.invokeExact(vocab);
  }

  /**
   * Loads {@code file}; {@code gpuLayers} layers go to a GPU backend when one was built (negative:
   * all).
   *
   * @throws IllegalArgumentException when llama.cpp cannot load the file (its log says why)
   */
  static NativeModel load(Path file, int gpuLayers) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment params =
          (MemorySegment)
              LlamaApi.model_default_params.invokeExact((java.lang.foreign.SegmentAllocator) arena);
      params.set(JAVA_INT, LlamaApi.offset("llama_model_params.n_gpu_layers"), gpuLayers);
      MemorySegment path = arena.allocateFrom(file.toAbsolutePath().toString());
      MemorySegment model = (MemorySegment) LlamaApi.model_load_from_file.invokeExact(path, params);
      if (model.equals(MemorySegment.NULL)) {
        String why = LlamaLibrary.lastError();
        throw new IllegalArgumentException(
            why.isEmpty() ? "llama.cpp gave no reason" : "llama.cpp: " + why);
      }
      return new NativeModel(model);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_model_load_from_file", e);
    }
  }

  MemorySegment pointer() {
    return model;
  }

  MemorySegment vocab() {
    return vocab;
  }

  int vocabSize() {
    return vocabSize;
  }

  boolean addsBos() {
    return addsBos;
  }

  int trainedContext() {
    try {
      return (int) LlamaApi.model_n_ctx_train.invokeExact(model);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  boolean usableForGeneration() {
    try {
      return !(boolean) LlamaApi.model_has_encoder.invokeExact(model)
          && !(boolean) LlamaApi.model_is_recurrent.invokeExact(model);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  long parameters() {
    try {
      return (long) LlamaApi.model_n_params.invokeExact(model);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  String description() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(256);
      int n = (int) LlamaApi.model_desc.invokeExact(model, buf, 256L);
      return n < 0 ? "?" : buf.getString(0);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** A GGUF metadata string, e.g. {@code tokenizer.chat_template}. */
  Optional<String> meta(String key) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment k = arena.allocateFrom(key);
      int n = (int) LlamaApi.model_meta_val_str.invokeExact(model, k, MemorySegment.NULL, 0L);
      if (n < 0) {
        return Optional.empty();
      }
      MemorySegment buf = arena.allocate(n + 1L);
      n = (int) LlamaApi.model_meta_val_str.invokeExact(model, k, buf, (long) n + 1);
      return Optional.of(buf.getString(0));
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  boolean isEndOfGeneration(int token) {
    try {
      return (boolean) LlamaApi.vocab_is_eog.invokeExact(vocab, token);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  int bos() {
    try {
      return (int) LlamaApi.vocab_bos.invokeExact(vocab);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  int eos() {
    try {
      return (int) LlamaApi.vocab_eos.invokeExact(vocab);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Token ids of {@code text}. {@code addSpecial} lets the model add its BOS; special tokens
   * written in the text (a chat template's markers) are parsed as such only with {@code
   * parseSpecial}.
   */
  int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment in = arena.allocate(Math.max(1, utf8.length));
      MemorySegment.copy(utf8, 0, in, JAVA_BYTE, 0, utf8.length);
      int capacity = utf8.length + 8;
      MemorySegment out = arena.allocate(JAVA_INT, capacity);
      int n =
          (int)
              LlamaApi.tokenize.invokeExact(
                  vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
      if (n < 0) { // more tokens than bytes can only come from added specials; retry with the size
        // asked for
        capacity = -n;
        out = arena.allocate(JAVA_INT, capacity);
        n =
            (int)
                LlamaApi.tokenize.invokeExact(
                    vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
      }
      if (n < 0) {
        throw new IllegalStateException("llama_tokenize returned " + n);
      }
      return out.asSlice(0, (long) n * Integer.BYTES).toArray(JAVA_INT);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_tokenize", e);
    }
  }

  /** The raw bytes of one token (may be part of a UTF-8 character); control tokens render empty. */
  byte[] piece(int token, MemorySegment scratch) {
    checkToken(token);
    try {
      int n =
          (int)
              LlamaApi.token_to_piece.invokeExact(
                  vocab, token, scratch, (int) scratch.byteSize(), 0, false);
      if (n < 0) {
        throw new IllegalStateException("token " + token + " needs " + -n + " bytes");
      }
      return scratch.asSlice(0, n).toArray(JAVA_BYTE);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_token_to_piece", e);
    }
  }

  /** The text of a special token such as BOS ({@code <s>}), for chat templates; empty for none. */
  String tokenText(int token) {
    if (token < 0 || token >= vocabSize) {
      return "";
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(256);
      int n = (int) LlamaApi.token_to_piece.invokeExact(vocab, token, buf, 256, 0, true);
      return n <= 0 ? "" : new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    } catch (Throwable e) {
      throw new IllegalStateException("llama_token_to_piece", e);
    }
  }

  String detokenize(int[] tokens) {
    for (int t : tokens) {
      checkToken(t);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment in = arena.allocateFrom(JAVA_INT, tokens.length == 0 ? new int[] {0} : tokens);
      int capacity = Math.max(64, tokens.length * 16);
      MemorySegment out = arena.allocate(capacity);
      int n =
          (int)
              LlamaApi.detokenize.invokeExact(
                  vocab, in, tokens.length, out, capacity, false, false);
      if (n < 0) {
        capacity = -n;
        out = arena.allocate(capacity);
        n =
            (int)
                LlamaApi.detokenize.invokeExact(
                    vocab, in, tokens.length, out, capacity, false, false);
      }
      byte[] bytes = out.asSlice(0, Math.max(0, n)).toArray(JAVA_BYTE);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_detokenize", e);
    }
  }

  /**
   * llama.cpp indexes arrays by token id without checking: an id from a request is checked here.
   */
  void checkToken(int token) {
    if (token < 0 || token >= vocabSize) {
      throw new IllegalArgumentException(
          "token id "
              + token
              + " is outside the vocabulary (expected: 0 to "
              + (vocabSize - 1)
              + ")");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LlamaApi.free(LlamaApi.model_free, model, "llama_model_free");
    }
  }

  @Override
  public String toString() {
    return Arrays.toString(new Object[] {description(), vocabSize});
  }
}
