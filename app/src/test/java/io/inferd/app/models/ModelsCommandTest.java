package io.inferd.app.models;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.testing.TinyGguf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int models(String... args) {
    ModelsCommand command = new ModelsCommand();
    command.env = Map.of();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void models_listsADownloadedFile_withItsArchitectureAndContext() throws Exception {
    Path file = TinyGguf.builder().contextLength(1024).write(dir.resolve("Tiny-Llama-Q8_0.gguf"));
    long size = Files.size(file);

    int code = models("--models-dir", dir.toString());

    assertThat(code).isZero();
    String[] lines = out.toString().split("\\R");
    assertThat(lines[0]).startsWith("NAME").contains("SIZE").contains("ARCH").contains("CONTEXT");
    assertThat(lines[1])
        .startsWith("tiny-llama-q8_0")
        .contains(ProgressBar.bytes(size))
        .contains("llama")
        .contains("1024")
        .endsWith(file.toString());
  }

  @Test
  void models_marksInvalidFilesAndUnfinishedDownloads() throws Exception {
    Files.writeString(dir.resolve("broken.gguf"), "<html>not a model</html>", UTF_8);
    Files.write(dir.resolve("big.gguf.part"), new byte[2048]);

    int code = models("--models-dir", dir.toString());

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("invalid GGUF")
        .contains("unfinished download: " + dir.resolve("big.gguf.part") + " (2.0 KiB)");
  }

  @Test
  void models_inAnEmptyFolder_saysHowToGetOne() {
    assertThat(models("--models-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("no models").contains("inferd pull REPO FILE");
  }

  @Test
  void models_missingFolder_exits2() {
    assertThat(models("--models-dir", dir.resolve("nope").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope").contains("not a directory");
  }
}
