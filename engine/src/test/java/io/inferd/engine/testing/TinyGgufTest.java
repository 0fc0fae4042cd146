package io.inferd.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyGgufTest {
  @TempDir Path dir;

  @BeforeAll
  static void createNativeLibraryDir() throws IOException {
    // java-llama.cpp unpacks its library there but does not create the directory.
    String libDir = System.getProperty("de.kherud.llama.tmpdir");
    if (libDir != null) {
      Files.createDirectories(Path.of(libDir));
    }
  }

  @Test
  void writtenModel_loadsAndGenerates() throws IOException {
    Path file = TinyGguf.writeDefault(dir);
    List<String> outputs = new ArrayList<>();

    LlamaModel model =
        new LlamaModel(
            new ModelParameters()
                .setModel(file.toString())
                .setThreads(2)
                .setCtxSize(512)
                .disableLog());
    try {
      for (LlamaOutput output :
          model.generate(
              new InferenceParameters("the cat").setNPredict(20).setTemperature(0).setSeed(1))) {
        outputs.add(output.text);
      }
    } finally {
      model.close();
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
