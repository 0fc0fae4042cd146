package io.inferd.engine.llama;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.inferd.engine.ModelLoadException;
import io.inferd.engine.testing.TinyGguf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufHeaderTest {
  private static final int TYPE_UINT8 = 0;
  private static final int TYPE_INT16 = 3;
  private static final int TYPE_FLOAT32 = 6;
  private static final int TYPE_BOOL = 7;
  private static final int TYPE_STRING = 8;
  private static final int TYPE_ARRAY = 9;
  private static final int TYPE_UINT64 = 10;
  private static final int TYPE_INT64 = 11;

  @TempDir Path dir;

  @Test
  void read_tinyGguf_returnsItsMetadata() throws IOException {
    Path file =
        TinyGguf.builder().seed(3).chatTemplate("{{ messages }}").write(dir.resolve("m.gguf"));

    GgufHeader header = GgufHeader.read(file);

    assertThat(header.version()).isEqualTo(3);
    assertThat(header.tensorCount()).isEqualTo(3 + 9L * TinyGguf.BLOCK_COUNT);
    assertThat(header.architecture()).contains("llama");
    assertThat(header.string("general.name")).contains(TinyGguf.NAME);
    assertThat(header.contextLength()).hasValue(TinyGguf.DEFAULT_CONTEXT_LENGTH);
    assertThat(header.chatTemplate()).contains("{{ messages }}");
    assertThat(header.integer("llama.embedding_length")).hasValue(TinyGguf.EMBEDDING_LENGTH);
    assertThat(header.integer("general.alignment")).hasValue(32);
    assertThat(header.arrayLength("tokenizer.ggml.tokens")).hasValue(TinyGguf.vocabSize());
    assertThat(header.arrayLength("tokenizer.ggml.scores")).hasValue(TinyGguf.vocabSize());
    assertThat(header.keys())
        .startsWith("general.architecture")
        .contains("tokenizer.ggml.model", "tokenizer.ggml.token_type", "llama.block_count");
  }

  @Test
  void read_accessorOfWrongType_isEmpty() throws IOException {
    GgufHeader header = GgufHeader.read(TinyGguf.builder().write(dir.resolve("m.gguf")));

    assertThat(header.chatTemplate()).isEmpty();
    assertThat(header.integer("general.architecture")).isEmpty();
    assertThat(header.string("llama.block_count")).isEmpty();
    assertThat(header.arrayLength("general.name")).isEmpty();
    assertThat(header.integer("llama.attention.layer_norm_rms_epsilon")).isEmpty();
    assertThat(header.string("no.such.key")).isEmpty();
  }

  @Test
  void read_handCraftedValues_readsEveryIntegerWidth() throws IOException {
    Gguf gguf = new Gguf(3, 0, 7);
    gguf.key("u8").u32(TYPE_UINT8).put((byte) 200);
    gguf.key("i16").u32(TYPE_INT16).u16(-5);
    gguf.key("i64").u32(TYPE_INT64).u64(-7_000_000_000L);
    gguf.key("u64.huge").u32(TYPE_UINT64).u64(-1L);
    gguf.key("flag").u32(TYPE_BOOL).put((byte) 1);
    gguf.key("f").u32(TYPE_FLOAT32).u32(Float.floatToIntBits(0.5f));
    gguf.key("nested").u32(TYPE_ARRAY).u32(TYPE_ARRAY).u64(2);
    gguf.u32(TYPE_INT16).u64(3).u16(1).u16(2).u16(3);
    gguf.u32(TYPE_STRING).u64(1).key("x");

    GgufHeader header = GgufHeader.read(gguf.write(dir.resolve("values.gguf")));

    assertThat(header.integer("u8")).hasValue(200);
    assertThat(header.integer("i16")).hasValue(-5);
    assertThat(header.integer("i64")).hasValue(-7_000_000_000L);
    assertThat(header.integer("u64.huge")).isEmpty();
    assertThat(header.integer("flag")).isEmpty();
    assertThat(header.integer("f")).isEmpty();
    assertThat(header.arrayLength("nested")).hasValue(2);
    assertThat(header.keys())
        .containsExactly("u8", "i16", "i64", "u64.huge", "flag", "f", "nested");
    assertThat(header.architecture()).isEmpty();
    assertThat(header.contextLength()).isEmpty();
  }

  @Test
  void read_nonGgufFile_namesItsFirstBytesAndWhatIsExpected() throws IOException {
    Path file = Files.writeString(dir.resolve("model.bin"), "hello world");

    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Not a GGUF file")
        .hasMessageContaining(file.toString())
        .hasMessageContaining("68 65 6c 6c (\"hell\")")
        .hasMessageContaining(".gguf");
  }

  @Test
  void read_emptyFile_saysItIsEmpty() throws IOException {
    Path file = Files.write(dir.resolve("empty.gguf"), new byte[0]);

    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("is empty")
        .hasMessageContaining("GGUF");
  }

  @ParameterizedTest
  @ValueSource(ints = {6, 8, 16, 23, 24, 30, 100, 1000, 3000})
  void read_truncatedFile_isRejectedAsCorrupt(int length) throws IOException {
    byte[] whole = Files.readAllBytes(TinyGguf.writeDefault(dir));
    Path file = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(whole, length));

    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Truncated or corrupt GGUF header")
        .hasMessageContaining(file.toString());
  }

  @Test
  void read_missingFile_saysNotFound() {
    Path file = dir.resolve("nope.gguf");

    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not found")
        .hasMessageContaining(file.toString());
  }

  @Test
  void read_directory_saysItIsNotAFile() {
    assertThatThrownBy(() -> GgufHeader.read(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("directory");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 0x03000000})
  void read_unsupportedVersion_namesTheVersion(int version) throws IOException {
    Path file = new Gguf(version, 0, 0).write(dir.resolve("v.gguf"));

    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Unsupported GGUF")
        .hasMessageContaining(version == 0x03000000 ? "big-endian" : "version " + version);
  }

  @Test
  void read_hugeKeyLength_isCorruptNotOutOfMemory() throws IOException {
    Gguf gguf = new Gguf(3, 0, 1);
    // Room for one key/value, so the count passes and the key length is what fails.
    gguf.u64(Long.MAX_VALUE).string("k").zeros(64);

    assertCorrupt(gguf.write(dir.resolve("key.gguf")), "exceeds the remaining");
  }

  @Test
  void read_hugeStringValueLength_isCorruptNotOutOfMemory() throws IOException {
    Gguf gguf = new Gguf(3, 0, 1);
    gguf.key("general.name").u32(TYPE_STRING).u64(0x7fff_fff0L).string("tiny");

    assertCorrupt(gguf.write(dir.resolve("string.gguf")), "exceeds the remaining");
  }

  @Test
  void read_hugeArrayLength_isCorruptNotOutOfMemory() throws IOException {
    Gguf gguf = new Gguf(3, 0, 1);
    gguf.key("tokenizer.ggml.tokens").u32(TYPE_ARRAY).u32(TYPE_STRING).u64(-1L).u64(1).string("a");

    assertCorrupt(gguf.write(dir.resolve("array.gguf")), "cannot fit");
  }

  @Test
  void read_hugeKeyValueCount_isCorrupt() throws IOException {
    Path file = new Gguf(3, 0, -1L).write(dir.resolve("count.gguf"));

    assertCorrupt(file, "cannot fit");
  }

  @Test
  void read_unknownValueType_isCorrupt() throws IOException {
    Gguf gguf = new Gguf(3, 0, 1);
    gguf.key("x").u32(42).u32(0);

    assertCorrupt(gguf.write(dir.resolve("type.gguf")), "not a known GGUF type");
  }

  @Test
  void read_sharedStories260K_isLlama() {
    String models = System.getProperty("inferd.shared.models");
    assumeThat(models).as("system property inferd.shared.models").isNotNull();
    Path file = Path.of(models, "stories260K.gguf");
    assumeThat(Files.isRegularFile(file)).as("%s exists", file).isTrue();

    GgufHeader header = GgufHeader.read(file);

    assertThat(header.architecture()).contains("llama");
    assertThat(header.contextLength()).hasValue(2048);
    assertThat(header.arrayLength("tokenizer.ggml.tokens")).hasValue(512);
  }

  private static void assertCorrupt(Path file, String detail) {
    assertThatThrownBy(() -> GgufHeader.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Truncated or corrupt GGUF header")
        .hasMessageContaining(detail);
  }

  /** Hand-crafts little-endian GGUF headers, including broken ones. */
  private static final class Gguf {
    private final ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

    Gguf(int version, long tensorCount, long kvCount) {
      buf.put("GGUF".getBytes(UTF_8)).putInt(version).putLong(tensorCount).putLong(kvCount);
    }

    Gguf key(String key) {
      return u64(key.length()).string(key);
    }

    Gguf string(String s) {
      buf.put(s.getBytes(UTF_8));
      return this;
    }

    Gguf zeros(int n) {
      buf.put(new byte[n]);
      return this;
    }

    Gguf put(byte b) {
      buf.put(b);
      return this;
    }

    Gguf u16(int v) {
      buf.putShort((short) v);
      return this;
    }

    Gguf u32(int v) {
      buf.putInt(v);
      return this;
    }

    Gguf u64(long v) {
      buf.putLong(v);
      return this;
    }

    Path write(Path file) throws IOException {
      return Files.write(file, Arrays.copyOf(buf.array(), buf.position()));
    }
  }
}
