package io.inferd.engine.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes a tiny but real llama-architecture GGUF v3 model that llama.cpp loads and generates from,
 * so tests need no downloaded weights.
 *
 * <p>Weights are pseudo-random from a seed (the same seed gives byte-identical files), so the text
 * it generates is gibberish made of English word pieces. All tensors are F32; the file is about 0.6
 * MB.
 */
public final class TinyGguf {
  /** Default name of the file {@link #writeDefault} writes. */
  public static final String DEFAULT_FILE_NAME = "tiny-llama.gguf";

  public static final long DEFAULT_SEED = 7;
  public static final String ARCHITECTURE = "llama";
  public static final String NAME = "inferd-tiny-llama";
  public static final int DEFAULT_CONTEXT_LENGTH = 512;
  public static final int EMBEDDING_LENGTH = 64;
  public static final int BLOCK_COUNT = 2;
  public static final int HEAD_COUNT = 4;
  public static final int HEAD_COUNT_KV = 2;
  public static final int FEED_FORWARD_LENGTH = 128;
  public static final int BOS_ID = 1;
  public static final int EOS_ID = 2;
  public static final int UNK_ID = 0;

  /** The common ChatML template (llama.cpp recognises it as "chatml"). */
  public static final String CHATML_TEMPLATE =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private static final int GGUF_VERSION = 3;
  private static final int ALIGNMENT = 32;
  private static final int HEAD_DIM = EMBEDDING_LENGTH / HEAD_COUNT;
  private static final float WEIGHT_STD = 0.02f;
  private static final float RMS_EPS = 1e-5f;
  private static final float ROPE_FREQ_BASE = 10_000f;

  // GGUF value type ids.
  private static final int TYPE_UINT32 = 4;
  private static final int TYPE_INT32 = 5;
  private static final int TYPE_FLOAT32 = 6;
  private static final int TYPE_BOOL = 7;
  private static final int TYPE_STRING = 8;
  private static final int TYPE_ARRAY = 9;
  private static final int GGML_TYPE_F32 = 0;
  private static final int FILE_TYPE_ALL_F32 = 0;

  // llama.cpp token types.
  private static final int TOKEN_NORMAL = 1;
  private static final int TOKEN_UNKNOWN = 2;
  private static final int TOKEN_CONTROL = 3;
  private static final int TOKEN_BYTE = 6;

  private static final String SPACE = "\u2581"; // SentencePiece's word-start marker "▁"

  private static final String WORDS =
      "the a an and to of in on at it is was he she they we you i his her my your "
          + "cat dog bird fish mouse bear frog duck cow pig horse bunny "
          + "boy girl mom dad friend friends baby man woman king queen "
          + "sat saw ran went came said looked played jumped found wanted liked loved "
          + "had have has did do go see look play jump find want like love "
          + "big small little happy sad red blue green yellow good nice old new "
          + "tree house park sun sky ball toy box car boat door room garden water "
          + "day time one two three once upon there then with for but not so very "
          + "mat hat bed cake apple flower flowers home school book "
          + "lily tom tim sue ben max sam anna "
          + "up down out all can will what who how this that";

  private static final List<String> TOKENS = new ArrayList<>();
  private static final List<Integer> TOKEN_TYPES = new ArrayList<>();

  static {
    addToken("<unk>", TOKEN_UNKNOWN);
    addToken("<s>", TOKEN_CONTROL);
    addToken("</s>", TOKEN_CONTROL);
    // Byte fallback: llama.cpp's SentencePiece tokenizer needs every byte (and <0x0A> for '\n').
    for (int b = 0; b < 256; b++) {
      addToken(String.format("<0x%02X>", b), TOKEN_BYTE);
    }
    // Every prefix of every word is a piece, so SentencePiece merges can reach whole words.
    Set<String> pieces = new LinkedHashSet<>();
    pieces.add(SPACE);
    for (char c = 'a'; c <= 'z'; c++) {
      pieces.add(SPACE + c);
    }
    for (char c = 'a'; c <= 'z'; c++) {
      pieces.add(String.valueOf(c));
    }
    for (char c = '0'; c <= '9'; c++) {
      pieces.add(String.valueOf(c));
    }
    for (String p : List.of(".", ",", "!", "?", "'", "\"", ":", "-")) {
      pieces.add(p);
    }
    for (String word : WORDS.split(" ")) {
      for (int end = 2; end <= word.length(); end++) {
        pieces.add(SPACE + word.substring(0, end));
      }
    }
    for (String piece : pieces) {
      addToken(piece, TOKEN_NORMAL);
    }
  }

  private TinyGguf() {}

  private static void addToken(String text, int type) {
    TOKENS.add(text);
    TOKEN_TYPES.add(type);
  }

  /** The number of tokens in the vocabulary (the length of {@code tokenizer.ggml.tokens}). */
  public static int vocabSize() {
    return TOKENS.size();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes the default model (seed {@link #DEFAULT_SEED}, ChatML template) to {@code
   * dir/tiny-llama.gguf}.
   */
  public static Path writeDefault(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    return builder().chatTemplate(CHATML_TEMPLATE).write(dir.resolve(DEFAULT_FILE_NAME));
  }

  /** Options for one tiny model file. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private String chatTemplate;
    private int contextLength = DEFAULT_CONTEXT_LENGTH;

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets {@code tokenizer.chat_template}; without it the file has no template. */
    public Builder chatTemplate(String chatTemplate) {
      this.chatTemplate = requireNonNull(chatTemplate, "chatTemplate");
      return this;
    }

    /** Sets {@code llama.context_length}, the trained context the header declares. */
    public Builder contextLength(int contextLength) {
      if (contextLength < 1) {
        throw new IllegalArgumentException("contextLength: " + contextLength + " (expected: >= 1)");
      }
      this.contextLength = contextLength;
      return this;
    }

    /** Writes the model to {@code file} (creating parent directories) and returns {@code file}. */
    public Path write(Path file) throws IOException {
      requireNonNull(file, "file");
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, bytes());
      return file;
    }

    private byte[] bytes() {
      List<Tensor> tensors = tensors(new Random(seed));
      Out metadata = new Out();
      writeMetadata(metadata);
      Out out = new Out();
      out.bytes("GGUF".getBytes(UTF_8));
      out.u32(GGUF_VERSION);
      out.u64(tensors.size());
      out.u64(metadata.keyCount);
      out.bytes(metadata.toByteArray());
      long offset = 0;
      for (Tensor t : tensors) {
        out.string(t.name());
        out.u32(t.dims().length);
        for (long d : t.dims()) {
          out.u64(d);
        }
        out.u32(GGML_TYPE_F32);
        out.u64(offset);
        offset += padded(t.data().length * (long) Float.BYTES);
      }
      out.pad();
      for (Tensor t : tensors) {
        out.floats(t.data());
        out.pad();
      }
      return out.toByteArray();
    }

    private void writeMetadata(Out out) {
      out.kvString("general.architecture", ARCHITECTURE);
      out.kvString("general.name", NAME);
      out.kvU32("general.alignment", ALIGNMENT);
      out.kvU32("general.file_type", FILE_TYPE_ALL_F32);
      out.kvU32("llama.context_length", contextLength);
      out.kvU32("llama.embedding_length", EMBEDDING_LENGTH);
      out.kvU32("llama.block_count", BLOCK_COUNT);
      out.kvU32("llama.feed_forward_length", FEED_FORWARD_LENGTH);
      out.kvU32("llama.attention.head_count", HEAD_COUNT);
      out.kvU32("llama.attention.head_count_kv", HEAD_COUNT_KV);
      out.kvU32("llama.rope.dimension_count", HEAD_DIM);
      out.kvF32("llama.rope.freq_base", ROPE_FREQ_BASE);
      out.kvF32("llama.attention.layer_norm_rms_epsilon", RMS_EPS);
      out.kvU32("llama.vocab_size", vocabSize());
      out.kvString("tokenizer.ggml.model", "llama");
      out.key("tokenizer.ggml.tokens");
      out.u32(TYPE_ARRAY);
      out.u32(TYPE_STRING);
      out.u64(TOKENS.size());
      TOKENS.forEach(out::string);
      out.key("tokenizer.ggml.scores");
      out.u32(TYPE_ARRAY);
      out.u32(TYPE_FLOAT32);
      out.u64(TOKENS.size());
      for (int i = 0; i < TOKENS.size(); i++) {
        // SentencePiece scores: higher merges first; earlier (shorter) pieces rank higher.
        out.f32(TOKEN_TYPES.get(i) == TOKEN_NORMAL ? -i : 0f);
      }
      out.key("tokenizer.ggml.token_type");
      out.u32(TYPE_ARRAY);
      out.u32(TYPE_INT32);
      out.u64(TOKENS.size());
      TOKEN_TYPES.forEach(out::u32);
      out.kvU32("tokenizer.ggml.bos_token_id", BOS_ID);
      out.kvU32("tokenizer.ggml.eos_token_id", EOS_ID);
      out.kvU32("tokenizer.ggml.unknown_token_id", UNK_ID);
      out.kvBool("tokenizer.ggml.add_bos_token", true);
      out.kvBool("tokenizer.ggml.add_eos_token", false);
      if (chatTemplate != null) {
        out.kvString("tokenizer.chat_template", chatTemplate);
      }
    }
  }

  /** A tensor with GGUF dims (ne0, the fastest-varying, first). */
  private record Tensor(String name, long[] dims, float[] data) {}

  private static List<Tensor> tensors(Random random) {
    int nVocab = vocabSize();
    int nEmbdKv = HEAD_DIM * HEAD_COUNT_KV;
    List<Tensor> tensors = new ArrayList<>();
    tensors.add(weights("token_embd.weight", random, EMBEDDING_LENGTH, nVocab));
    tensors.add(ones("output_norm.weight", EMBEDDING_LENGTH));
    Tensor output = weights("output.weight", random, EMBEDDING_LENGTH, nVocab);
    // Zero logits for control and byte tokens so greedy decoding emits words: no early
    // end-of-sequence and no invalid UTF-8 from stray bytes.
    for (int token = 0; token < nVocab; token++) {
      if (TOKEN_TYPES.get(token) != TOKEN_NORMAL) {
        int from = token * EMBEDDING_LENGTH;
        Arrays.fill(output.data(), from, from + EMBEDDING_LENGTH, 0f);
      }
    }
    tensors.add(output);
    for (int i = 0; i < BLOCK_COUNT; i++) {
      String blk = "blk." + i + ".";
      tensors.add(ones(blk + "attn_norm.weight", EMBEDDING_LENGTH));
      tensors.add(weights(blk + "attn_q.weight", random, EMBEDDING_LENGTH, EMBEDDING_LENGTH));
      tensors.add(weights(blk + "attn_k.weight", random, EMBEDDING_LENGTH, nEmbdKv));
      tensors.add(weights(blk + "attn_v.weight", random, EMBEDDING_LENGTH, nEmbdKv));
      tensors.add(weights(blk + "attn_output.weight", random, EMBEDDING_LENGTH, EMBEDDING_LENGTH));
      tensors.add(ones(blk + "ffn_norm.weight", EMBEDDING_LENGTH));
      tensors.add(weights(blk + "ffn_gate.weight", random, EMBEDDING_LENGTH, FEED_FORWARD_LENGTH));
      tensors.add(weights(blk + "ffn_up.weight", random, EMBEDDING_LENGTH, FEED_FORWARD_LENGTH));
      tensors.add(weights(blk + "ffn_down.weight", random, FEED_FORWARD_LENGTH, EMBEDDING_LENGTH));
    }
    return tensors;
  }

  private static Tensor weights(String name, Random random, int ne0, int ne1) {
    float[] data = new float[ne0 * ne1];
    for (int i = 0; i < data.length; i++) {
      // java.util.Random's Gaussian is specified exactly, so files match across JDKs.
      data[i] = (float) random.nextGaussian() * WEIGHT_STD;
    }
    return new Tensor(name, new long[] {ne0, ne1}, data);
  }

  private static Tensor ones(String name, int ne0) {
    float[] data = new float[ne0];
    Arrays.fill(data, 1f);
    return new Tensor(name, new long[] {ne0}, data);
  }

  private static long padded(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** Little-endian GGUF encoder into memory (the file is small). */
  private static final class Out {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private int keyCount;

    void bytes(byte[] b) {
      bytes.write(b, 0, b.length);
    }

    void u32(int v) {
      scratch.clear();
      bytes.write(scratch.putInt(v).array(), 0, 4);
    }

    void u64(long v) {
      scratch.clear();
      bytes.write(scratch.putLong(v).array(), 0, 8);
    }

    void f32(float v) {
      scratch.clear();
      bytes.write(scratch.putFloat(v).array(), 0, 4);
    }

    void string(String s) {
      byte[] b = s.getBytes(UTF_8);
      u64(b.length);
      bytes(b);
    }

    void key(String key) {
      keyCount++;
      string(key);
    }

    void kvString(String key, String value) {
      key(key);
      u32(TYPE_STRING);
      string(value);
    }

    void kvU32(String key, int value) {
      key(key);
      u32(TYPE_UINT32);
      u32(value);
    }

    void kvF32(String key, float value) {
      key(key);
      u32(TYPE_FLOAT32);
      f32(value);
    }

    void kvBool(String key, boolean value) {
      key(key);
      u32(TYPE_BOOL);
      bytes.write(value ? 1 : 0);
    }

    void floats(float[] data) {
      ByteBuffer b = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(data);
      bytes(b.array());
    }

    /** Zero-fills up to the next multiple of the alignment, as GGUF requires for tensor data. */
    void pad() {
      int n = (int) (padded(bytes.size()) - bytes.size());
      bytes(new byte[n]);
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }
}
