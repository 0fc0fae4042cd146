package io.inferd.app;

import io.inferd.engine.Engines;
import io.inferd.engine.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which models serve loads: generation models, embedding models, and the default among them. */
final class ModelOptions {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME=PATH.gguf",
      split = ",",
      defaultValue = "${env:INFERD_MODELS}",
      description = {
        "A GGUF text-generation model, NAME=grpc://HOST:PORT#MODEL for a model another"
            + " ai.inference.v1 server runs, or NAME=openai+http://HOST:PORT/v1#MODEL for one an"
            + " OpenAI-compatible server runs (several servers of one model: separate their URLs"
            + " with '|', e.g. openai+http://h1:8080/v1|http://h2:8080/v1#MODEL); repeat for"
            + " several (env INFERD_MODELS, comma-separated).",
        "Without it, the first .gguf in models/ or ../shared/models/ of the inferd checkout is used."
      })
  List<String> models = new ArrayList<>();

  @Option(
      names = "--embedding-model",
      paramLabel = "NAME=openai+http://HOST:PORT/v1#MODEL",
      split = ",",
      defaultValue = "${env:INFERD_EMBEDDING_MODELS}",
      description =
          "An embedding model an OpenAI-compatible server runs (POST /v1/embeddings), beside"
              + " all-minilm-l6-v2 unless --no-embeddings; several servers separated by '|'; repeat"
              + " for several (env INFERD_EMBEDDING_MODELS, comma-separated).")
  List<String> embeddingModels = new ArrayList<>();

  @Option(
      names = "--default-model",
      paramLabel = "NAME",
      defaultValue = "${env:INFERD_DEFAULT_MODEL}",
      description =
          "Model used when a request leaves 'model' empty (env INFERD_DEFAULT_MODEL; default: the first --model).")
  String defaultModel;

  @Option(
      names = "--embeddings",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Load the all-minilm-l6-v2 embedding model for BatchEmbed (default: on).")
  boolean miniLm;

  /** The --model specs, or the checkout's first .gguf; fails on one missing or no engine runs. */
  List<ModelSpec> generators() {
    List<ModelSpec> specs = new ArrayList<>();
    for (String model : models) {
      if (!model.isBlank()) {
        specs.add(ModelSpec.parse(model.strip()));
      }
    }
    if (specs.isEmpty()) {
      Path home = Path.of(System.getProperty("inferd.home", "."));
      specs.add(
          DefaultModels.find(home)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no generation model: pass --model NAME=PATH.gguf (none found in "
                              + DefaultModels.searchPath(home)
                              + ")")));
    }
    Engines engines = Engines.installed();
    for (ModelSpec model : specs) {
      engines.check("--model", model);
      if (!model.isRemote() && Files.isDirectory(model.path())) {
        throw new IllegalArgumentException(
            "--model "
                + model
                + ": "
                + model.path().toAbsolutePath()
                + " is a directory (expected: a .gguf file"
                + ggufFilesIn(model.path())
                + ")");
      }
      if (!model.isRemote() && !Files.isRegularFile(model.path())) {
        throw new IllegalArgumentException(
            "model file not found: " + model.path().toAbsolutePath() + " (--model " + model + ")");
      }
    }
    return specs;
  }

  /** The --embedding-model specs; fails on one that no installed engine embeds with. */
  List<ModelSpec> embedders() {
    Engines engines = Engines.installed();
    List<ModelSpec> embedders = new ArrayList<>();
    for (String embedder : embeddingModels) {
      if (!embedder.isBlank()) {
        ModelSpec model = ModelSpec.parse("--embedding-model", embedder.strip());
        engines.checkEmbedder("--embedding-model", model);
        embedders.add(model);
      }
    }
    return embedders;
  }

  /** ", such as a.gguf or b.gguf in it" for a folder holding models, else "". */
  private static String ggufFilesIn(Path dir) {
    try (var files = Files.list(dir)) {
      List<String> names =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".gguf"))
              .sorted()
              .limit(3)
              .toList();
      return names.isEmpty() ? "" : ", such as " + String.join(" or ", names) + " in it";
    } catch (IOException e) {
      return "";
    }
  }
}
