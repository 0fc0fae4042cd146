package io.inferd.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** llama.cpp's llama-bench on the model: pp and tg tok/s, the engine's ceiling without a server. */
final class LlamaBenchRun {
  private LlamaBenchRun() {}

  /** One llama-bench test: prompt or generation tokens, mean and standard deviation of tok/s. */
  record Figure(String test, double tokPerSec, double stddev) {}

  static List<Figure> run(
      Path llamaDir,
      Path model,
      int threads,
      int prompt,
      int generate,
      int repetitions,
      String flashAttn,
      Path log)
      throws IOException, InterruptedException {
    List<String> command =
        List.of(
            llamaDir.resolve("bin/llama-bench").toString(),
            "-m",
            model.toString(),
            "-t",
            Integer.toString(threads),
            "-p",
            Integer.toString(prompt),
            "-n",
            Integer.toString(generate),
            "-r",
            Integer.toString(repetitions),
            "-fa",
            flashAttn,
            "-o",
            "json");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
    builder
        .environment()
        .merge("LD_LIBRARY_PATH", llamaDir.resolve("lib").toString(), (a, b) -> b + ":" + a);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException("llama-bench failed; see " + log);
    }
    Files.write(log.resolveSibling("llama-bench.json"), out);
    JsonNode tests = OpenAiTarget.JSON.readTree(new String(out, StandardCharsets.UTF_8));
    List<Figure> figures = new ArrayList<>();
    for (JsonNode t : tests) {
      int p = t.path("n_prompt").asInt();
      int n = t.path("n_gen").asInt();
      String name = p > 0 ? "pp" + p : "tg" + n;
      figures.add(new Figure(name, t.path("avg_ts").asDouble(), t.path("stddev_ts").asDouble()));
    }
    return figures;
  }
}
