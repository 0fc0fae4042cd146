package io.inferd.app;

import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.onnx.MiniLmEmbedder;
import io.inferd.engine.testing.TinyGguf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real models loaded once per test JVM: the tiny GGUF the tests write, and MiniLM. */
final class TestModels {
  private static LlamaGenerator tiny;
  private static MiniLmEmbedder embedder;
  private static Path tinyFile;

  private TestModels() {}

  /** A tiny llama-architecture model with a ChatML template, 2 slots of 256 tokens. */
  static synchronized LlamaGenerator tiny() {
    if (tiny == null) {
      tiny = LlamaGenerator.load(tinyFile(), new LlamaOptions(2, 2, 256));
    }
    return tiny;
  }

  private static LlamaGenerator longContext;

  /**
   * The same kind of tiny model with a 4096-token context, for generations long enough to fill
   * buffers.
   */
  static synchronized LlamaGenerator tinyLongContext() {
    if (longContext == null) {
      try {
        Path dir = Files.createTempDirectory("inferd-test-models");
        Path file = TinyGguf.builder().contextLength(4096).write(dir.resolve("tiny-4k.gguf"));
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        longContext = LlamaGenerator.load(file, new LlamaOptions(2, 1, 4096));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return longContext;
  }

  static synchronized Path tinyFile() {
    if (tinyFile == null) {
      try {
        Path dir = Files.createTempDirectory("inferd-test-models");
        dir.toFile().deleteOnExit();
        tinyFile =
            TinyGguf.builder()
                .chatTemplate(TinyGguf.CHATML_TEMPLATE)
                .write(dir.resolve("tiny.gguf"));
        tinyFile.toFile().deleteOnExit();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tinyFile;
  }

  static synchronized MiniLmEmbedder embedder() {
    if (embedder == null) {
      embedder = MiniLmEmbedder.load();
    }
    return embedder;
  }
}
