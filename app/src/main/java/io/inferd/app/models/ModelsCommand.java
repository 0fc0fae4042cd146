package io.inferd.app.models;

import io.inferd.engine.ModelLoadException;
import io.inferd.engine.llama.GgufHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferd models}: the GGUF files installed locally, with what their headers say. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "List the installed GGUF models: file, size, architecture and trained context (read from the"
          + " GGUF header), and unfinished downloads.",
      "Without --models-dir: the default model shipped in models/ and the pulled ones in"
          + " models-cache/ ($INFERD_MODELS_DIR)."
    })
public final class ModelsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--models-dir", paramLabel = "DIR", description = "List this folder only.")
  Path modelsDir;

  /** The environment (INFERD_MODELS_DIR); tests replace it. */
  Map<String, String> env = System.getenv();

  public ModelsCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> dirs =
        modelsDir != null
            ? List.of(modelsDir)
            : List.of(ModelsDirectory.bundled(), ModelsDirectory.pulled(null, env));
    if (modelsDir != null && !Files.isDirectory(modelsDir)) {
      err.println("error: --models-dir " + modelsDir + " is not a directory");
      return 2;
    }
    List<String[]> rows = new ArrayList<>();
    List<String> partial = new ArrayList<>();
    for (Path dir : dirs.stream().distinct().toList()) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          String name = f.getFileName().toString();
          if (name.endsWith(".gguf") && Files.isRegularFile(f)) {
            rows.add(row(f));
          } else if (name.endsWith(".gguf.part") && Files.isRegularFile(f)) {
            partial.add(f + " (" + ProgressBar.bytes(Files.size(f)) + ")");
          }
        }
      } catch (IOException e) {
        err.println("error: cannot list " + dir + ": " + e.getMessage());
        return 1;
      }
    }
    if (rows.isEmpty()) {
      out.println(
          "no models in "
              + dirs.stream().distinct().map(Path::toString).toList()
              + "; download one with: ./inferd pull REPO FILE");
    } else {
      print(out, rows);
    }
    for (String p : partial) {
      out.println("unfinished download: " + p + "; run the same pull again to resume");
    }
    out.flush();
    return 0;
  }

  private static String[] row(Path file) throws IOException {
    String size = ProgressBar.bytes(Files.size(file));
    try {
      GgufHeader header = GgufHeader.read(file);
      return new String[] {
        suggestedName(file),
        size,
        header.architecture().orElse("?"),
        header.contextLength().isPresent()
            ? String.valueOf(header.contextLength().getAsLong())
            : "?",
        file.toString()
      };
    } catch (ModelLoadException e) {
      return new String[] {suggestedName(file), size, "invalid GGUF", "-", file.toString()};
    }
  }

  private static void print(PrintWriter out, List<String[]> rows) {
    String[] header = {"NAME", "SIZE", "ARCH", "CONTEXT", "PATH"};
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.length];
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        boolean last = i == r.length - 1;
        boolean right = i == 1 || i == 3;
        String cell = r[i];
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(right ? pad + cell : last ? cell : cell + pad);
        if (!last) {
          line.append("  ");
        }
      }
      out.println(line);
    }
  }

  /**
   * A model name for {@code serve --model NAME=PATH}: the file name without {@code .gguf}, lower
   * case.
   */
  static String suggestedName(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".gguf")) {
      name = name.substring(0, name.length() - ".gguf".length());
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
