package io.inferd.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Sampling;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyGgufTest {
  @TempDir Path dir;

  @Test
  void writtenModel_loadsAndGenerates() throws IOException {
    Path file = TinyGguf.writeDefault(dir);
    List<String> outputs = new ArrayList<>();
    try (LlamaGenerator model = LlamaGenerator.load(file, new LlamaOptions(2, 1, 256))) {
      Generation g =
          model.generate(
              new GenerationRequest(model.raw("the cat"), 20, Sampling.greedy()), outputs::add);
      assertThat(g.completionTokens()).isPositive();
    }

    assertThat(outputs).isNotEmpty();
    assertThat(String.join("", outputs)).isNotBlank();
  }

  @Test
  void sameSeed_writesByteIdenticalFiles() throws IOException {
    Path a = TinyGguf.builder().seed(11).chatTemplate("t").write(dir.resolve("a.gguf"));
    Path b = TinyGguf.builder().seed(11).chatTemplate("t").write(dir.resolve("b.gguf"));

    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
  }

  @Test
  void differentSeeds_writeDifferentWeights() throws IOException {
    Path a = TinyGguf.builder().seed(1).write(dir.resolve("a.gguf"));
    Path b = TinyGguf.builder().seed(2).write(dir.resolve("b.gguf"));

    assertThat(Files.size(a)).isEqualTo(Files.size(b));
    assertThat(Files.mismatch(a, b)).isNotEqualTo(-1L);
  }

  @Test
  void writtenFile_isWellUnderOneMegabyte() throws IOException {
    assertThat(Files.size(TinyGguf.writeDefault(dir))).isLessThan(1 << 20);
  }
}
