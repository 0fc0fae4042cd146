package io.inferd.engine.llama;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.inferd.engine.ModelLoadException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The header and metadata key/values of a GGUF file (versions 2 and 3, little-endian).
 *
 * <p>Reading stops after the metadata: tensor infos and data are never touched, and array values
 * keep only their element type and count, so even multi-GB models read in milliseconds.
 */
public final class GgufHeader {
  private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
  private static final int MIN_VERSION = 2;
  private static final int MAX_VERSION = 3;
  // The spec caps keys at 65535 bytes; metadata strings (chat templates) are kilobytes, so a
  // larger length is corruption, not data worth allocating for.
  private static final int MAX_KEY_BYTES = 65_535;
  private static final int MAX_STRING_BYTES = 16 << 20;
  // Arrays of arrays are legal but never used; a depth bound keeps crafted files off the stack.
  private static final int MAX_ARRAY_DEPTH = 8;
  // Smallest possible encodings, used to bound counts by the bytes that remain.
  private static final int MIN_KV_BYTES = 8 + 4 + 1; // key length, value type, 1-byte value
  private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8; // name len, n_dims, type, offset

  private final int version;
  private final long tensorCount;
  private final Map<String, Object> values;

  private GgufHeader(int version, long tensorCount, Map<String, Object> values) {
    this.version = version;
    this.tensorCount = tensorCount;
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Reads the header and metadata of {@code file}.
   *
   * @throws ModelLoadException if the file is missing, unreadable, not GGUF, of an unsupported
   *     version, or truncated or corrupt within its header
   */
  public static GgufHeader read(Path file) {
    requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new ModelLoadException(
          "Model path is a directory, not a file: " + file + " (expected a .gguf file)");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return new Parser(file, channel).parse();
    } catch (NoSuchFileException e) {
      throw new ModelLoadException("Model file not found: " + file + " (expected a .gguf file)", e);
    } catch (AccessDeniedException e) {
      throw new ModelLoadException(
          "Cannot read model file " + file + ": permission denied (check its file permissions)", e);
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read model file " + file + ": " + e, e);
    }
  }

  /** The GGUF format version (2 or 3). */
  public int version() {
    return version;
  }

  /** The number of tensors the file declares. */
  public long tensorCount() {
    return tensorCount;
  }

  /** Every metadata key, in file order. */
  public Set<String> keys() {
    return values.keySet();
  }

  /** The value of {@code key} if it is a string. */
  public Optional<String> string(String key) {
    requireNonNull(key, "key");
    return values.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * The value of {@code key} if it is an integer of any width that fits a {@code long} (a uint64
   * above {@link Long#MAX_VALUE} reads as empty).
   */
  public OptionalLong integer(String key) {
    requireNonNull(key, "key");
    return values.get(key) instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
  }

  /** The element count of {@code key} if it is an array. */
  public OptionalLong arrayLength(String key) {
    requireNonNull(key, "key");
    return values.get(key) instanceof ArrayInfo a
        ? OptionalLong.of(a.length())
        : OptionalLong.empty();
  }

  /** The value of {@code key} if it is a bool. */
  public Optional<Boolean> bool(String key) {
    requireNonNull(key, "key");
    return values.get(key) instanceof Boolean b ? Optional.of(b) : Optional.empty();
  }

  /** {@code general.architecture}, e.g. "llama". */
  public Optional<String> architecture() {
    return string("general.architecture");
  }

  /** {@code tokenizer.chat_template}, the Jinja template for chat prompts. */
  public Optional<String> chatTemplate() {
    return string("tokenizer.chat_template");
  }

  /** {@code <architecture>.context_length}, the context the model was trained for. */
  public OptionalLong contextLength() {
    return architecture()
        .map(arch -> integer(arch + ".context_length"))
        .orElse(OptionalLong.empty());
  }

  @Override
  public String toString() {
    return "GgufHeader{version="
        + version
        + ", tensors="
        + tensorCount
        + ", keys="
        + values.size()
        + ", architecture="
        + architecture().orElse("?")
        + "}";
  }

  /** GGUF metadata value types; the ordinal is the type id in the file. */
  private enum ValueType {
    UINT8(1),
    INT8(1),
    UINT16(2),
    INT16(2),
    UINT32(4),
    INT32(4),
    FLOAT32(4),
    BOOL(1),
    STRING(0),
    ARRAY(0),
    UINT64(8),
    INT64(8),
    FLOAT64(8);

    private static final ValueType[] BY_ID = values();

    /** Encoded size, or 0 when variable (strings and arrays). */
    final int size;

    ValueType(int size) {
      this.size = size;
    }
  }

  /** What an array value keeps: its element type and count, not its elements. */
  private record ArrayInfo(ValueType elementType, long length) {}

  /** A little-endian reader over a file channel with bounds checked against the file size. */
  private static final class Parser {
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    // File offset of buf's index 0.
    private long bufStart;

    Parser(Path file, FileChannel channel) throws IOException {
      this.file = file;
      this.channel = channel;
      this.size = channel.size();
      buf.limit(0);
    }

    GgufHeader parse() throws IOException {
      checkMagic();
      int version = buffer(4, "version").getInt();
      checkVersion(version);
      long tensorCount = u64("tensor count");
      long kvCount = u64("metadata key/value count");
      if (Long.compareUnsigned(kvCount, remaining() / MIN_KV_BYTES) > 0) {
        throw corrupt(
            "metadata key/value count "
                + Long.toUnsignedString(kvCount)
                + " cannot fit in the remaining "
                + remaining()
                + " bytes");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (long i = 0; i < kvCount; i++) {
        long keyOffset = position();
        String key = string("metadata key", MAX_KEY_BYTES);
        ValueType type = valueType("value type of key '" + key + "'");
        Object value = value(type, key);
        if (values.putIfAbsent(key, value) != null) {
          throw corrupt("duplicate metadata key '" + key + "' at byte offset " + keyOffset);
        }
      }
      if (Long.compareUnsigned(tensorCount, remaining() / MIN_TENSOR_INFO_BYTES) > 0) {
        throw corrupt(
            "tensor count "
                + Long.toUnsignedString(tensorCount)
                + " cannot fit in the remaining "
                + remaining()
                + " bytes");
      }
      return new GgufHeader(version, tensorCount, values);
    }

    private void checkMagic() throws IOException {
      int n = (int) Math.min(size, 4);
      ensure(n, "magic");
      byte[] head = new byte[n];
      buf.get(0, head);
      if (n == 4 && buf.getInt() == MAGIC) {
        return;
      }
      throw new ModelLoadException(
          "Not a GGUF file: "
              + file
              + (n == 0 ? " is empty" : " starts with " + describe(head))
              + ", expected the magic \"GGUF\"; pass a llama.cpp .gguf model file");
    }

    private void checkVersion(int version) {
      if (version >= MIN_VERSION && version <= MAX_VERSION) {
        return;
      }
      int swapped = Integer.reverseBytes(version);
      if (swapped >= MIN_VERSION && swapped <= MAX_VERSION) {
        throw new ModelLoadException(
            "Unsupported GGUF file "
                + file
                + ": it is big-endian (version "
                + swapped
                + "); only little-endian GGUF is supported, use the little-endian conversion");
      }
      throw new ModelLoadException(
          "Unsupported GGUF version "
              + Integer.toUnsignedString(version)
              + " in "
              + file
              + " (expected "
              + MIN_VERSION
              + " or "
              + MAX_VERSION
              + ")"
              + (version < MIN_VERSION
                  ? "; convert the model again with a current llama.cpp"
                  : "; this file needs a newer inferd"));
    }

    private Object value(ValueType type, String key) throws IOException {
      String what = "value of key '" + key + "'";
      return switch (type) {
        case UINT8 -> (long) Byte.toUnsignedInt(buffer(1, what).get());
        case INT8 -> (long) buffer(1, what).get();
        case UINT16 -> (long) Short.toUnsignedInt(buffer(2, what).getShort());
        case INT16 -> (long) buffer(2, what).getShort();
        case UINT32 -> Integer.toUnsignedLong(buffer(4, what).getInt());
        case INT32 -> (long) buffer(4, what).getInt();
        case FLOAT32 -> (double) buffer(4, what).getFloat();
        case BOOL -> buffer(1, what).get() != 0;
        case STRING -> string(what, MAX_STRING_BYTES);
        case ARRAY -> array(what, 1);
        case UINT64 -> {
          long v = buffer(8, what).getLong();
          // Kept exact but not as a long, so integer() never returns a wrapped negative.
          yield v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
        }
        case INT64 -> buffer(8, what).getLong();
        case FLOAT64 -> buffer(8, what).getDouble();
      };
    }

    /** Skips an array's elements, keeping only their type and count. */
    private ArrayInfo array(String what, int depth) throws IOException {
      if (depth > MAX_ARRAY_DEPTH) {
        throw corrupt(what + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
      }
      ValueType elementType = valueType("element type of " + what);
      long length = u64("array length of " + what);
      int minElementBytes =
          switch (elementType) {
            case STRING -> 8;
            case ARRAY -> 4 + 8;
            default -> elementType.size;
          };
      if (Long.compareUnsigned(length, remaining() / minElementBytes) > 0) {
        throw corrupt(
            what
                + ": array of "
                + Long.toUnsignedString(length)
                + " "
                + elementType
                + " elements cannot fit in the remaining "
                + remaining()
                + " bytes");
      }
      switch (elementType) {
        case STRING -> {
          for (long i = 0; i < length; i++) {
            skip(stringLength(what));
          }
        }
        case ARRAY -> {
          for (long i = 0; i < length; i++) {
            array(what, depth + 1);
          }
        }
        default -> skip(length * elementType.size);
      }
      return new ArrayInfo(elementType, length);
    }

    private String string(String what, int maxBytes) throws IOException {
      long length = stringLength(what);
      if (length > maxBytes) {
        throw corrupt(
            what + " is a string of " + length + " bytes, over the " + maxBytes + " limit");
      }
      byte[] bytes = new byte[(int) length];
      for (int off = 0; off < bytes.length; ) {
        int n = Math.min(buffer(1, what).remaining(), bytes.length - off);
        buf.get(bytes, off, n);
        off += n;
      }
      return new String(bytes, UTF_8);
    }

    /** Reads a string's length and checks that its bytes are in the file. */
    private long stringLength(String what) throws IOException {
      long length = u64("string length of " + what);
      if (Long.compareUnsigned(length, remaining()) > 0) {
        throw corrupt(
            what
                + ": string length "
                + Long.toUnsignedString(length)
                + " exceeds the remaining "
                + remaining()
                + " bytes");
      }
      return length;
    }

    private ValueType valueType(String what) throws IOException {
      int id = buffer(4, what).getInt();
      if (id < 0 || id >= ValueType.BY_ID.length) {
        throw corrupt(what + " is " + Integer.toUnsignedString(id) + ", not a known GGUF type");
      }
      return ValueType.BY_ID[id];
    }

    private long u64(String what) throws IOException {
      ensure(8, what);
      return buf.getLong();
    }

    private ByteBuffer buffer(int n, String what) throws IOException {
      ensure(n, what);
      return buf;
    }

    /** Makes {@code n} bytes available in {@code buf}, or fails when the file ends first. */
    private void ensure(int n, String what) throws IOException {
      if (buf.remaining() >= n) {
        return;
      }
      long pos = position();
      if (n > size - pos) {
        throw corrupt(what + " needs " + n + " bytes but only " + (size - pos) + " remain");
      }
      buf.compact();
      bufStart = pos;
      while (buf.position() < n) {
        if (channel.read(buf, bufStart + buf.position()) < 0) {
          throw corrupt("the file ended early while reading " + what);
        }
      }
      buf.flip();
    }

    private void skip(long n) {
      if (n <= buf.remaining()) {
        buf.position(buf.position() + (int) n);
        return;
      }
      bufStart = position() + n;
      buf.clear().limit(0);
    }

    private long position() {
      return bufStart + buf.position();
    }

    private long remaining() {
      return size - position();
    }

    private ModelLoadException corrupt(String detail) {
      return new ModelLoadException(
          "Truncated or corrupt GGUF header in "
              + file
              + " ("
              + size
              + " bytes): "
              + detail
              + " at byte offset "
              + position()
              + "; the download or copy is probably incomplete, fetch the model again");
    }

    /** The first bytes as hex plus printable ASCII, e.g. {@code 7f 45 4c 46 (".ELF")}. */
    private static String describe(byte[] head) {
      StringBuilder hex = new StringBuilder();
      byte[] printable = new byte[head.length];
      for (int i = 0; i < head.length; i++) {
        hex.append(i == 0 ? "" : " ").append(String.format("%02x", head[i]));
        printable[i] = head[i] >= 0x20 && head[i] < 0x7f ? head[i] : (byte) '.';
      }
      return hex + " (\"" + new String(printable, US_ASCII) + "\")";
    }
  }
}
