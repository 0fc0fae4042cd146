package io.inferd.engine.llama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The llama.cpp shared libraries built by {@code engine/native/build-llama.sh}, loaded once per
 * JVM. The build directory comes from {@code -Dinferd.llama.dir} or {@code INFERD_LLAMA_DIR} (the
 * launcher sets it); it also holds {@code layout.properties}, the struct layout of that build's
 * llama.h.
 */
final class LlamaLibrary {
  static final String DIR_PROPERTY = "inferd.llama.dir";
  static final String DIR_ENV = "INFERD_LLAMA_DIR";

  private static final Logger nativeLog = LoggerFactory.getLogger("inferd.llama.cpp");
  private static final Linker LINKER = Linker.nativeLinker();
  private static volatile LlamaLibrary instance;

  /** llama.cpp's last error line, so a failed load can say why. */
  private static volatile String lastError = "";

  private final Path dir;
  private final SymbolLookup symbols;
  private final Properties layout;
  private final Properties build;

  private LlamaLibrary(Path dir, SymbolLookup symbols, Properties layout, Properties build) {
    this.dir = dir;
    this.symbols = symbols;
    this.layout = layout;
    this.build = build;
  }

  /** The loaded library; loads it on first use. */
  static LlamaLibrary get() {
    LlamaLibrary loaded = instance;
    if (loaded == null) {
      synchronized (LlamaLibrary.class) {
        loaded = instance;
        if (loaded == null) {
          loaded = load(locate());
          instance = loaded;
        }
      }
    }
    return loaded;
  }

  static Path locate() {
    String configured = System.getProperty(DIR_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(DIR_ENV);
    }
    if (configured == null || configured.isBlank()) {
      throw new IllegalStateException(
          "llama.cpp is not built: run ./inferd (it builds llama.cpp once with"
              + " engine/native/build-llama.sh) or set "
              + DIR_ENV
              + " to the directory that script printed");
    }
    Path dir = Path.of(configured);
    if (!Files.isRegularFile(dir.resolve("lib/libllama.so"))) {
      throw new IllegalStateException(
          dir
              + " holds no lib/libllama.so (expected: the directory engine/native/build-llama.sh printed)");
    }
    return dir;
  }

  private static LlamaLibrary load(Path dir) {
    Arena forever = Arena.global();
    SymbolLookup lookup = null;
    // Dependencies first, by path, so that the loader never searches for them.
    for (String name : List.of("libggml-base.so", "libggml-cpu.so", "libggml.so", "libllama.so")) {
      Path file = dir.resolve("lib").resolve(name);
      if (!Files.exists(file)) {
        continue; // libggml-cpu is folded into libggml in some configurations
      }
      SymbolLookup next = SymbolLookup.libraryLookup(file, forever);
      lookup = lookup == null ? next : lookup.or(next);
    }
    try (var files = Files.list(dir.resolve("lib"))) {
      // GPU backends (libggml-cuda.so, …) register themselves when loaded.
      for (Path extra :
          files
              .filter(p -> p.getFileName().toString().matches("libggml-(?!base|cpu)[a-z]+\\.so"))
              .toList()) {
        lookup = lookup.or(SymbolLookup.libraryLookup(extra, forever));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LlamaLibrary library =
        new LlamaLibrary(
            dir,
            lookup,
            properties(dir.resolve("layout.properties")),
            properties(dir.resolve("build.properties")));
    library.routeLogging();
    try {
      library.handle("llama_backend_init", FunctionDescriptor.ofVoid()).invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("llama_backend_init failed", e);
    }
    return library;
  }

  private static Properties properties(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + file + " (rebuild with engine/native/build-llama.sh)", e);
    }
    return p;
  }

  /** The last error llama.cpp logged (empty if none). */
  static String lastError() {
    return lastError;
  }

  Path dir() {
    return dir;
  }

  /** The llama.cpp package version this library was built from. */
  String version() {
    return build.getProperty("version", "?");
  }

  boolean cudaBuilt() {
    return "on".equals(build.getProperty("cuda"));
  }

  /** A size or field offset of this build's llama.h, e.g. {@code llama_context_params.n_ctx}. */
  long layout(String key) {
    String value = layout.getProperty(key);
    if (value == null) {
      throw new IllegalStateException(
          dir + "/layout.properties lacks " + key + " (rebuild llama.cpp)");
    }
    return Long.parseLong(value.trim());
  }

  MethodHandle handle(String name, FunctionDescriptor descriptor) {
    MemorySegment address =
        symbols
            .find(name)
            .orElseThrow(() -> new IllegalStateException(name + " not found in " + dir + "/lib"));
    return LINKER.downcallHandle(address, descriptor);
  }

  /** llama.cpp writes to stderr unless it gets a callback; its lines go to SLF4J instead. */
  private void routeLogging() {
    try {
      MethodHandle target =
          MethodHandles.lookup()
              .findStatic(
                  LlamaLibrary.class,
                  "onNativeLog",
                  MethodType.methodType(
                      void.class, int.class, MemorySegment.class, MemorySegment.class));
      FunctionDescriptor callback =
          FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
      MemorySegment stub = LINKER.upcallStub(target, callback, Arena.global());
      FunctionDescriptor setter =
          FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS);
      handle("llama_log_set", setter).invokeExact(stub, MemorySegment.NULL);
    } catch (Throwable e) {
      throw new IllegalStateException("llama_log_set failed", e);
    }
  }

  @SuppressWarnings("unused") // called from native code
  private static void onNativeLog(int level, MemorySegment text, MemorySegment userData) {
    try {
      String line = text.reinterpret(Integer.MAX_VALUE).getString(0).stripTrailing();
      if (line.isEmpty()) {
        return;
      }
      switch (level) {
        case 4 -> {
          lastError = line;
          nativeLog.warn("{}", line); // inferd's own exception says it again where it matters
        }
        case 3 -> nativeLog.info("{}", line);
        default -> nativeLog.debug("{}", line);
      }
    } catch (Throwable ignored) {
      // an upcall must never throw into native code
    }
  }
}
