package io.inferd.bench.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.bench.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {
  static java.util.List<String[]> pairs() {
    return SerializationSuite.pairs();
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("pairs")
  void everyBenchmarkedCodec_roundTripsItsPayload(String payload, String format) {
    Codec codec = Codec.of(payload, format);
    byte[] bytes = codec.encode();

    Object decoded = codec.decode(bytes);

    if (format.equals("jackson")) {
      assertThat(decoded)
          .usingRecursiveComparison()
          .isEqualTo(codec.value()); // records hold float[]
    } else {
      assertThat(decoded).isEqualTo(codec.value()); // Protobuf messages have value equality
    }
  }

  @Test
  void theDocumentsUser_encodesTo61ProtobufBytes() {
    // 9 (id) + 8 (name) + 20 (email) + 2 (age) + 11 + 11 (tags): the document's "45 bytes" is not
    // possible
    assertThat(Codec.of("User", "protobuf").encode()).hasSize(61);
    assertThat(new String(Codec.of("User", "jackson").encode()))
        .isEqualTo(
            "{\"id\":\"user-42\",\"name\":\"Kreath\",\"email\":\"kreath@example.com\",\"age\":30,"
                + "\"tags\":[\"developer\",\"architect\"]}");
  }

  @Test
  void embeddingVectors_areUnitLength() {
    for (int i = 0; i < Payloads.EMBED_TEXTS; i++) {
      double norm = 0;
      for (float v : Payloads.vector(i)) {
        norm += v * v;
      }
      assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }
}
