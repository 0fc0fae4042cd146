package io.inferd.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/** llama.cpp's llama-bench on the model: pp and tg tok/s, the engine's ceiling without a server. */
final class LlamaBenchRun {
  private LlamaBenchRun() {}

  /**
   * One llama-bench test: prompt or generation tokens after {@code depth} tokens already in the
   * context, mean and standard deviation of tok/s.
   */
  record Figure(String test, int depth, double tokPerSec, double stddev) {
    String label() {
      return depth > 0 ? test + " @ d" + depth : test;
    }
  }

  /**
   * pp{@code prompt} and tg{@code generate} at each of {@code depths} (0: an empty context); the
   * JSON llama-bench wrote lands next to {@code log}.
   */
  static List<Figure> run(
      Path llamaDir,
      Path model,
      int threads,
      int prompt,
      int generate,
      List<Integer> depths,
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
            "-d",
            String.join(",", depths.stream().map(String::valueOf).toList()),
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
    Files.write(log.resolveSibling(log.getFileName().toString().replace(".log", ".json")), out);
    JsonNode tests = OpenAiTarget.JSON.readTree(new String(out, StandardCharsets.UTF_8));
    List<Figure> figures = new ArrayList<>();
    for (JsonNode t : tests) {
      int p = t.path("n_prompt").asInt();
      int n = t.path("n_gen").asInt();
      String name = p > 0 ? "pp" + p : "tg" + n;
      figures.add(
          new Figure(
              name,
              t.path("n_depth").asInt(),
              t.path("avg_ts").asDouble(),
              t.path("stddev_ts").asDouble()));
    }
    return figures;
  }

  /**
   * What llama.cpp alone takes for a Chat turn at {@code depth} ÷ the same turn in an empty
   * context: {@code prompt} tokens prefilled and {@code reply} decoded, from pp and tg figures at
   * both depths; empty when one of the four is missing.
   */
  static OptionalDouble turnRatio(List<Figure> figures, int prompt, int reply, int depth) {
    OptionalDouble first = turnSeconds(figures, prompt, reply, 0);
    OptionalDouble last = turnSeconds(figures, prompt, reply, depth);
    return first.isPresent() && last.isPresent()
        ? OptionalDouble.of(last.getAsDouble() / first.getAsDouble())
        : OptionalDouble.empty();
  }

  private static OptionalDouble turnSeconds(
      List<Figure> figures, int prompt, int reply, int depth) {
    OptionalDouble pp = tokPerSec(figures, "pp" + prompt, depth);
    OptionalDouble tg = tokPerSec(figures, "tg" + reply, depth);
    return pp.isPresent() && tg.isPresent()
        ? OptionalDouble.of(prompt / pp.getAsDouble() + reply / tg.getAsDouble())
        : OptionalDouble.empty();
  }

  private static OptionalDouble tokPerSec(List<Figure> figures, String test, int depth) {
    return figures.stream()
        .filter(f -> f.test().equals(test) && f.depth() == depth && f.tokPerSec() > 0)
        .mapToDouble(Figure::tokPerSec)
        .findFirst();
  }
}
