package io.inferd.bench.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a Llama-architecture GGUF v3 of realistic size with pseudo-random Q8_0 weights, for
 * benchmarks: decode cost does not depend on what the weights learned. The default {@link Shape}
 * has 125 M parameters (126 MiB). The same seed gives a byte-identical file; the file is written
 * streaming, so memory stays small.
 *
 * <p>Output rows of control and byte tokens are zero, so greedy decoding never ends a stream early
 * and random weights produce word pieces. The tokenizer is SentencePiece-style ({@link
 * SyntheticVocab}) with a ChatML template and {@code <|im_end|>} as end of generation.
 */
public final class RandomLlamaGguf {
  public static final long DEFAULT_SEED = 42;

  public static final String CHATML_TEMPLATE =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

  /** Model dimensions; {@code context} is the trained context the header declares. */
  public record Shape(
      int layers, int dim, int heads, int kvHeads, int ffn, int vocab, int context) {
    public Shape {
      if (dim % heads != 0 || heads % kvHeads != 0 || dim % BLOCK != 0 || ffn % BLOCK != 0) {
        throw new IllegalArgumentException("shape: " + this + " (expected: dims multiples of 32)");
      }
    }

    int headDim() {
      return dim / heads;
    }

    int kvDim() {
      return headDim() * kvHeads;
    }

    /** Parameters in all tensors. */
    public long parameters() {
      long perLayer = 2L * dim + 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * ffn;
      return 2L * vocab * dim + dim + layers * perLayer;
    }
  }

  /** 12 layers, dim 768, 12 heads (4 for K/V), FFN 2048, vocabulary 32,000: 125 M parameters. */
  public static final Shape BENCH_125M = new Shape(12, 768, 12, 4, 2048, 32_000, 2048);

  private static final int GGUF_VERSION = 3;
  private static final int ALIGNMENT = 32;
  private static final int BLOCK = 32; // Q8_0: fp16 scale + 32 int8
  private static final int BLOCK_BYTES = 2 + BLOCK;
  private static final float WEIGHT_STD = 0.02f;

  // GGUF value types, ggml tensor types, llama.cpp file type.
  private static final int TYPE_UINT32 = 4;
  private static final int TYPE_INT32 = 5;
  private static final int TYPE_FLOAT32 = 6;
  private static final int TYPE_BOOL = 7;
  private static final int TYPE_STRING = 8;
  private static final int TYPE_ARRAY = 9;
  private static final int GGML_F32 = 0;
  private static final int GGML_Q8_0 = 8;
  private static final int FILE_TYPE_MOSTLY_Q8_0 = 7;

  private RandomLlamaGguf() {}

  /**
   * The bench model in {@code dir}, written first if absent (a file of the expected size is reused:
   * the same seed always writes the same bytes).
   */
  public static Path ensure(Path dir, Shape shape, long seed) throws IOException {
    requireNonNull(dir, "dir");
    Path file = dir.resolve(fileName(shape, seed));
    if (Files.isRegularFile(file) && Files.size(file) == fileSize(shape)) {
      return file;
    }
    write(file, shape, seed);
    return file;
  }

  public static String fileName(Shape shape, long seed) {
    return String.format(
        "random-llama-%dm-q8_0-s%d.gguf", Math.round(shape.parameters() / 1e6), seed);
  }

  /**
   * Writes the model to {@code file} (through a temporary file, so a crash leaves no half file).
   */
  public static void write(Path file, Shape shape, long seed) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(shape, "shape");
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".part");
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      write(new Out(os), shape, seed);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The size {@link #write} produces for {@code shape}. */
  public static long fileSize(Shape shape) throws IOException {
    var counter = new CountingStream();
    Out out = new Out(counter);
    SyntheticVocab vocab = SyntheticVocab.build(shape.vocab());
    List<Tensor> tensors = tensors(shape);
    writeHeader(out, shape, vocab, tensors);
    long size = counter.count;
    for (Tensor t : tensors) {
      size = padded(size) + t.bytes();
    }
    return padded(size);
  }

  private static void write(Out out, Shape shape, long seed) throws IOException {
    SyntheticVocab vocab = SyntheticVocab.build(shape.vocab());
    List<Tensor> tensors = tensors(shape);
    writeHeader(out, shape, vocab, tensors);
    Random random =
        new Random(seed); // java.util.Random is specified exactly: files match across JDKs
    for (Tensor t : tensors) {
      out.pad();
      if (t.type() == GGML_F32) {
        for (long i = 0; i < t.ne0(); i++) {
          out.f32(1f); // norm weights
        }
      } else {
        writeQ8(out, t, random, t.name().equals("output.weight") ? vocab : null);
      }
    }
    out.pad();
  }

  /**
   * Q8_0 rows of uniform int8 with a scale that gives {@link #WEIGHT_STD}; for {@code
   * output.weight} ({@code vocab} given) rows of non-word tokens are zero.
   */
  private static void writeQ8(Out out, Tensor t, Random random, SyntheticVocab vocab)
      throws IOException {
    // Uniform on [-128, 127] * d has a standard deviation of about 128 d / sqrt(3).
    short scale = Float.floatToFloat16(WEIGHT_STD * (float) Math.sqrt(3) / 128f);
    int blocks = (int) (t.ne0() / BLOCK);
    byte[] row = new byte[(int) t.ne0()];
    byte[] encoded = new byte[blocks * BLOCK_BYTES];
    for (long r = 0; r < t.ne1(); r++) {
      random.nextBytes(row);
      boolean zero = vocab != null && vocab.types()[(int) r] != SyntheticVocab.NORMAL;
      for (int b = 0; b < blocks; b++) {
        int at = b * BLOCK_BYTES;
        short d = zero ? 0 : scale;
        encoded[at] = (byte) d;
        encoded[at + 1] = (byte) (d >> 8);
        if (zero) {
          java.util.Arrays.fill(encoded, at + 2, at + BLOCK_BYTES, (byte) 0);
        } else {
          System.arraycopy(row, b * BLOCK, encoded, at + 2, BLOCK);
        }
      }
      out.bytes(encoded);
    }
  }

  private static void writeHeader(Out out, Shape s, SyntheticVocab vocab, List<Tensor> tensors)
      throws IOException {
    Out meta = new Out(new CountingStream()); // counts keys only
    writeMetadata(meta, s, vocab);
    out.bytes("GGUF".getBytes(UTF_8));
    out.u32(GGUF_VERSION);
    out.u64(tensors.size());
    out.u64(meta.keys);
    writeMetadata(out, s, vocab);
    long offset = 0;
    for (Tensor t : tensors) {
      out.string(t.name());
      out.u32(t.ne1() == 1 ? 1 : 2);
      out.u64(t.ne0());
      if (t.ne1() != 1) {
        out.u64(t.ne1());
      }
      out.u32(t.type());
      out.u64(offset);
      offset = padded(offset + t.bytes());
    }
  }

  private static void writeMetadata(Out out, Shape s, SyntheticVocab vocab) throws IOException {
    out.kvString("general.architecture", "llama");
    out.kvString("general.name", "inferd-bench-random-llama");
    out.kvU32("general.alignment", ALIGNMENT);
    out.kvU32("general.file_type", FILE_TYPE_MOSTLY_Q8_0);
    out.kvU32("llama.context_length", s.context());
    out.kvU32("llama.embedding_length", s.dim());
    out.kvU32("llama.block_count", s.layers());
    out.kvU32("llama.feed_forward_length", s.ffn());
    out.kvU32("llama.attention.head_count", s.heads());
    out.kvU32("llama.attention.head_count_kv", s.kvHeads());
    out.kvU32("llama.rope.dimension_count", s.headDim());
    out.kvF32("llama.rope.freq_base", 10_000f);
    out.kvF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    out.kvU32("llama.vocab_size", vocab.size());
    out.kvString("tokenizer.ggml.model", "llama");
    out.key("tokenizer.ggml.tokens");
    out.u32(TYPE_ARRAY);
    out.u32(TYPE_STRING);
    out.u64(vocab.size());
    for (String token : vocab.tokens()) {
      out.string(token);
    }
    out.key("tokenizer.ggml.scores");
    out.u32(TYPE_ARRAY);
    out.u32(TYPE_FLOAT32);
    out.u64(vocab.size());
    for (float score : vocab.scores()) {
      out.f32(score);
    }
    out.key("tokenizer.ggml.token_type");
    out.u32(TYPE_ARRAY);
    out.u32(TYPE_INT32);
    out.u64(vocab.size());
    for (int type : vocab.types()) {
      out.u32(type);
    }
    out.kvU32("tokenizer.ggml.bos_token_id", SyntheticVocab.BOS);
    out.kvU32("tokenizer.ggml.eos_token_id", vocab.imEnd());
    out.kvU32("tokenizer.ggml.eot_token_id", vocab.imEnd());
    out.kvU32("tokenizer.ggml.unknown_token_id", SyntheticVocab.UNK);
    out.kvU32("tokenizer.ggml.padding_token_id", SyntheticVocab.EOS);
    out.kvBool("tokenizer.ggml.add_bos_token", true);
    out.kvBool("tokenizer.ggml.add_eos_token", false);
    out.kvString("tokenizer.chat_template", CHATML_TEMPLATE);
  }

  /** A tensor: GGUF dims (ne0 fastest-varying), ne1 = 1 for vectors. */
  private record Tensor(String name, long ne0, long ne1, int type) {
    long bytes() {
      return type == GGML_F32 ? ne0 * ne1 * Float.BYTES : ne0 / BLOCK * BLOCK_BYTES * ne1;
    }
  }

  private static List<Tensor> tensors(Shape s) {
    List<Tensor> t = new ArrayList<>();
    t.add(new Tensor("token_embd.weight", s.dim(), s.vocab(), GGML_Q8_0));
    t.add(new Tensor("output_norm.weight", s.dim(), 1, GGML_F32));
    t.add(new Tensor("output.weight", s.dim(), s.vocab(), GGML_Q8_0));
    for (int i = 0; i < s.layers(); i++) {
      String blk = "blk." + i + ".";
      t.add(new Tensor(blk + "attn_norm.weight", s.dim(), 1, GGML_F32));
      t.add(new Tensor(blk + "attn_q.weight", s.dim(), s.dim(), GGML_Q8_0));
      t.add(new Tensor(blk + "attn_k.weight", s.dim(), s.kvDim(), GGML_Q8_0));
      t.add(new Tensor(blk + "attn_v.weight", s.dim(), s.kvDim(), GGML_Q8_0));
      t.add(new Tensor(blk + "attn_output.weight", s.dim(), s.dim(), GGML_Q8_0));
      t.add(new Tensor(blk + "ffn_norm.weight", s.dim(), 1, GGML_F32));
      t.add(new Tensor(blk + "ffn_gate.weight", s.dim(), s.ffn(), GGML_Q8_0));
      t.add(new Tensor(blk + "ffn_up.weight", s.dim(), s.ffn(), GGML_Q8_0));
      t.add(new Tensor(blk + "ffn_down.weight", s.ffn(), s.dim(), GGML_Q8_0));
    }
    return t;
  }

  private static long padded(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** Writes {@code args[0]} (default: bench/target/models/…) with seed {@code args[1]}. */
  public static void main(String[] args) throws IOException {
    long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
    Path file =
        args.length > 0
            ? Path.of(args[0])
            : Path.of("bench/target/bench-peers/models").resolve(fileName(BENCH_125M, seed));
    long started = System.nanoTime();
    write(file, BENCH_125M, seed);
    System.out.printf(
        "%s: %,d parameters, %,d bytes in %.1f s%n",
        file, BENCH_125M.parameters(), Files.size(file), (System.nanoTime() - started) / 1e9);
  }

  /** Counts bytes, writes nothing. */
  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  /** Little-endian GGUF encoder that tracks its position for alignment padding. */
  private static final class Out {
    private final OutputStream os;
    private final byte[] scratch = new byte[8];
    private long position;
    private int keys;

    Out(OutputStream os) {
      this.os = os;
    }

    void bytes(byte[] b) throws IOException {
      os.write(b);
      position += b.length;
    }

    void u32(int v) throws IOException {
      le(v, 4);
    }

    void u64(long v) throws IOException {
      le(v, 8);
    }

    void f32(float v) throws IOException {
      le(Float.floatToRawIntBits(v), 4);
    }

    private void le(long v, int n) throws IOException {
      for (int i = 0; i < n; i++) {
        scratch[i] = (byte) (v >>> (8 * i));
      }
      os.write(scratch, 0, n);
      position += n;
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(UTF_8);
      u64(b.length);
      bytes(b);
    }

    void key(String key) throws IOException {
      keys++;
      string(key);
    }

    void kvString(String key, String value) throws IOException {
      key(key);
      u32(TYPE_STRING);
      string(value);
    }

    void kvU32(String key, int value) throws IOException {
      key(key);
      u32(TYPE_UINT32);
      u32(value);
    }

    void kvF32(String key, float value) throws IOException {
      key(key);
      u32(TYPE_FLOAT32);
      f32(value);
    }

    void kvBool(String key, boolean value) throws IOException {
      key(key);
      u32(TYPE_BOOL);
      os.write(value ? 1 : 0);
      position++;
    }

    /** Zero-fills up to the next multiple of the alignment, as GGUF requires for tensor data. */
    void pad() throws IOException {
      int n = (int) (padded(position) - position);
      bytes(new byte[n]);
    }
  }
}
