package io.inferd.bench.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomLlamaGgufTest {
  private static final RandomLlamaGguf.Shape SMALL =
      new RandomLlamaGguf.Shape(2, 64, 4, 2, 128, 1_000, 256);

  @TempDir Path dir;

  @Test
  void sameSeed_writesIdenticalFiles_ofThePredictedSize() throws Exception {
    Path a = dir.resolve("a.gguf");
    Path b = dir.resolve("b.gguf");
    RandomLlamaGguf.write(a, SMALL, 7);
    RandomLlamaGguf.write(b, SMALL, 7);

    assertThat(Files.mismatch(a, b)).isEqualTo(-1);
    assertThat(Files.size(a)).isEqualTo(RandomLlamaGguf.fileSize(SMALL));
    assertThat(new String(Files.readAllBytes(a), 0, 4, "US-ASCII")).isEqualTo("GGUF");
  }

  @Test
  void otherSeed_writesOtherWeights() throws Exception {
    Path a = dir.resolve("a.gguf");
    Path b = dir.resolve("b.gguf");
    RandomLlamaGguf.write(a, SMALL, 7);
    RandomLlamaGguf.write(b, SMALL, 8);

    assertThat(Files.mismatch(a, b)).isPositive();
  }

  @Test
  void ensure_reusesAFileOfTheRightSize() throws Exception {
    Path first = RandomLlamaGguf.ensure(dir, SMALL, 7);
    var written = Files.getLastModifiedTime(first);

    assertThat(RandomLlamaGguf.ensure(dir, SMALL, 7)).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(first)).isEqualTo(written);
  }

  @Test
  void benchShape_has125MParameters() {
    assertThat(RandomLlamaGguf.BENCH_125M.parameters()).isBetween(124_000_000L, 126_000_000L);
  }

  @Test
  void vocabulary_hasExactSize_bytesControlTokensAndPrefixClosedPieces() {
    SyntheticVocab vocab = SyntheticVocab.build(32_000);

    assertThat(vocab.size()).isEqualTo(32_000);
    assertThat(vocab.tokens().get(3)).isEqualTo("<0x00>");
    assertThat(vocab.tokens().get(vocab.imEnd())).isEqualTo("<|im_end|>");
    assertThat(vocab.types()[vocab.imStart()]).isEqualTo(SyntheticVocab.CONTROL);
    var pieces = new java.util.HashSet<>(vocab.tokens());
    assertThat(pieces).hasSize(32_000).contains("\u2581the", "\u2581story");
    for (int i = 259; i < vocab.imStart(); i++) {
      String piece = vocab.tokens().get(i);
      String prefix = piece.substring(0, piece.length() - 1);
      if (!prefix.isEmpty() && !pieces.contains(prefix)) {
        throw new AssertionError("piece " + piece + " without its prefix " + prefix);
      }
    }
  }
}
