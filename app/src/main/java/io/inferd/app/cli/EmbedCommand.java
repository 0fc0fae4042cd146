package io.inferd.app.cli;

import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.Embedding;
import io.inferd.client.InferenceClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code inferd embed}: a BatchEmbed client stream. */
@Command(
    name = "embed",
    sortOptions = false,
    description = {
      "Embed texts in one batch (BatchEmbed) and print a line per embedding.",
      "Each line shows its index, dimension and first values. Total tokens go to stderr."
    })
public final class EmbedCommand extends ClientCommand {
  private static final int SHOWN_VALUES = 4;

  @Option(
      names = {"-m", "--model"},
      order = 1,
      paramLabel = "MODEL",
      description = "Embedding model (default: the server's default embedding model).")
  String model = "";

  @Parameters(
      paramLabel = "TEXT",
      arity = "0..*",
      description = "Texts to embed; without any, each line of stdin is one (blank lines skipped).")
  List<String> texts;

  @Override
  int run(InferenceClient client) throws IOException {
    List<String> input = texts != null && !texts.isEmpty() ? texts : readLines(stdin());
    if (input.isEmpty()) {
      throw new UsageException("nothing to embed (expected: TEXT arguments or lines on stdin)");
    }
    BatchEmbedResponse response = client.batchEmbed(model, input);
    for (Embedding embedding : response.getEmbeddingsList()) {
      out().println(format(embedding));
    }
    out().flush();
    err().println(Summaries.embeddings(response.getEmbeddingsCount(), response.getUsage()));
    return 0;
  }

  static String format(Embedding embedding) {
    var line = new StringBuilder();
    line.append(embedding.getIndex())
        .append(" dim=")
        .append(embedding.getVectorCount())
        .append(" [");
    int shown = Math.min(SHOWN_VALUES, embedding.getVectorCount());
    for (int i = 0; i < shown; i++) {
      line.append(i > 0 ? ", " : "")
          .append(String.format(Locale.ROOT, "%.4f", embedding.getVector(i)));
    }
    if (embedding.getVectorCount() > shown) {
      line.append(", ...");
    }
    return line.append(']').toString();
  }

  private static List<String> readLines(BufferedReader reader) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
