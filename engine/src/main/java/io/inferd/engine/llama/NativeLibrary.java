package io.inferd.engine.llama;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where java-llama.cpp may unpack its native library. */
final class NativeLibrary {
  static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";

  private NativeLibrary() {}

  /**
   * java-llama.cpp deletes every entry named llama* or jllama* in its temporary directory before it
   * unpacks, so it must never be the shared {@code java.io.tmpdir}: give it one of its own.
   */
  static synchronized void prepare() {
    String configured = System.getProperty(TMPDIR_PROPERTY);
    Path dir =
        configured != null
            ? Path.of(configured)
            : Path.of(
                System.getProperty("java.io.tmpdir"),
                "inferd-jllama-" + System.getProperty("user.name"));
    try {
      Files.createDirectories(dir); // java-llama.cpp fails to load when the directory is missing
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + " for the llama.cpp native library", e);
    }
    System.setProperty(TMPDIR_PROPERTY, dir.toString());
    loadQuietly();
  }

  /**
   * java-llama.cpp announces its unpacking on stdout, where inferd prints only answers and the ready
   * line; load the class (which unpacks and links the library) with stdout pointed at stderr.
   */
  private static void loadQuietly() {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try {
      Class.forName("de.kherud.llama.LlamaModel", true, NativeLibrary.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("java-llama.cpp is not on the class path", e);
    } finally {
      System.setOut(stdout);
    }
  }
}
