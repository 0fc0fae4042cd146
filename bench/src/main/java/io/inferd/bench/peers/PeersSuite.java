package io.inferd.bench.peers;

import io.inferd.bench.load.ServerUnderTest;
import io.inferd.bench.model.RandomLlamaGguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * inferd beside llama.cpp on the same model and cores: llama-bench's ceiling, then one llama-server
 * and one inferd server JVM (both started once, both idle while the other is driven) under the same
 * streaming load at each level, targets alternating; then a growing Chat. Writes peers.json and
 * PEERS.md into the output directory.
 */
public final class PeersSuite {
  static final String LLAMA = "llama-server";

  private PeersSuite() {}

  /**
   * Runs everything and writes the report.
   *
   * @param model the GGUF, or null for the bench's random 125 M model (written under work/models)
   * @return the markdown report's path
   */
  public static Path run(PeersConfig config, Path llamaDir, Path model, Path work, Path out)
      throws Exception {
    Files.createDirectories(out);
    Path logs = work.resolve("logs");
    Files.createDirectories(logs);
    PeersReport report = new PeersReport(config);
    if (model == null) {
      long started = System.nanoTime();
      model =
          RandomLlamaGguf.ensure(
              work.resolve("models"), RandomLlamaGguf.BENCH_125M, RandomLlamaGguf.DEFAULT_SEED);
      System.out.printf("  model %s (%.1f s)%n", model, (System.nanoTime() - started) / 1e9);
      report.environment.put(
          "model",
          String.format(
              "%s: Llama, %,d parameters, Q8_0, vocabulary %,d, %,d bytes",
              model.getFileName(),
              RandomLlamaGguf.BENCH_125M.parameters(),
              RandomLlamaGguf.BENCH_125M.vocab(),
              Files.size(model)));
    } else {
      report.environment.put("model", model + " (" + Files.size(model) + " bytes)");
    }
    report.environment.put("llama.cpp", llamaBuild(llamaDir));
    report.environment.put("load average before", loadAverage());

    boolean peers =
        Files.isExecutable(llamaDir.resolve("bin/llama-server"))
            && Files.isExecutable(llamaDir.resolve("bin/llama-bench"));
    if (!peers) {
      report.notes.add(
          "llama-server and llama-bench are not built in "
              + llamaDir
              + " (engine/native/build-llama.sh --tools builds them): inferd measured alone, no ratios");
      System.out.println("  " + report.notes.getLast());
    } else {
      System.out.println("  llama-bench");
      report.llamaBench.addAll(
          LlamaBenchRun.run(
              llamaDir,
              model,
              config.threads(),
              512,
              config.maxTokens(),
              List.of(0),
              config.llamaBenchRepetitions(),
              config.flashAttn(),
              logs.resolve("llama-bench.log")));
      if (config.chatTurns() > 1) {
        // The Chat's first and last turn as llama.cpp alone runs them: the floor under its ratio.
        report.chatEngine.addAll(
            LlamaBenchRun.run(
                llamaDir,
                model,
                config.threads(),
                config.chatTurnPromptTokens(),
                config.chatReplyTokens(),
                List.of(0, config.chatLastTurnDepth()),
                config.llamaBenchRepetitions(),
                config.flashAttn(),
                logs.resolve("llama-bench-chat.log")));
      }
      report
          .llamaBenchFigures()
          .forEach(
              f ->
                  System.out.printf(
                      "    %s %.1f ± %.1f tok/s%n", f.label(), f.tokPerSec(), f.stddev()));
    }

    int slots = Math.max(config.maxLevel(), 1);
    System.setProperty("inferd.llama.dir", llamaDir.toString()); // for ServerUnderTest
    try (var inferd =
            ServerUnderTest.start(
                "1g",
                false,
                logs.resolve("inferd-server.log"),
                List.of(
                    "--engine",
                    "llama",
                    "--model",
                    model.toString(),
                    "--threads",
                    Integer.toString(config.threads()),
                    "--parallel",
                    Integer.toString(slots),
                    "--queue",
                    "64",
                    "--default-max-tokens",
                    Integer.toString(config.chatReplyTokens()),
                    "--flash-attn",
                    config.flashAttn()));
        var llama =
            peers
                ? startLlama(config, llamaDir, model, slots, logs, inferd.httpPort(), report)
                : null) {
      if (llama != null) {
        report.environment.put("llama-server", String.join(" ", llama.command()));
      }
      report.environment.put(
          "inferd",
          "BenchServer --engine llama --threads "
              + config.threads()
              + " --parallel "
              + slots
              + " (context "
              + config.slotContext()
              + " per sequence: the model's trained context), JVM -Xmx1g");
      var llamaTarget =
          llama == null ? null : new OpenAiTarget(LLAMA, llama.port(), PeersSuite::llamaFields);
      var grpc = new GrpcTarget(inferd.grpcPort());
      var rest = new OpenAiTarget("inferd REST", inferd.httpPort(), b -> {});
      try (llamaTarget;
          grpc;
          rest) {
        List<StreamTarget> targets = new ArrayList<>();
        if (llamaTarget != null) {
          targets.add(llamaTarget);
        }
        targets.add(grpc);
        if (config.rest()) {
          targets.add(rest);
        }
        measureLevels(config, targets, report, out);
        measureFirstToken(config, targets, report, out);
        report.environment.put("load average after streams", loadAverage());
        measureChat(config, llamaTarget, grpc, rest, report);
      }
    } finally {
      report.environment.put("load average after", loadAverage());
      report.write(out);
    }
    return out.resolve("PEERS.md");
  }

  /** llama.cpp's own fields: no early end, and the sampler chain inferd uses (temperature only). */
  private static void llamaFields(com.fasterxml.jackson.databind.node.ObjectNode b) {
    b.put("ignore_eos", true);
    b.put("cache_prompt", true);
    b.put("top_k", 0);
    b.put("top_p", 1.0);
    b.put("min_p", 0.0);
  }

  /**
   * llama-server with the model's chat template; restarted with inferd's rendering (contents joined
   * by newlines) when inferd counts other prompt tokens for the same message, so both prefill the
   * same prompt.
   */
  private static LlamaServerProcess startLlama(
      PeersConfig config,
      Path llamaDir,
      Path model,
      int slots,
      Path logs,
      int inferdHttp,
      PeersReport report)
      throws Exception {
    String probe = LoadRun.prompt();
    int inferdTokens;
    try (var rest = new OpenAiTarget("inferd REST", inferdHttp, b -> {})) {
      inferdTokens = rest.promptTokens(probe);
    }
    Path template = null;
    for (int attempt = 0; ; attempt++) {
      var llama =
          LlamaServerProcess.start(
              llamaDir,
              model,
              config.threads(),
              slots,
              config.slotContext(),
              config.flashAttn(),
              template,
              logs.resolve("llama-server-" + attempt + ".log"));
      int llamaTokens;
      try (var target = new OpenAiTarget(LLAMA, llama.port(), PeersSuite::llamaFields)) {
        llamaTokens = target.promptTokens(probe);
      } catch (Exception e) {
        llama.close();
        throw e;
      }
      String counts =
          String.format(
              "a %d-character user message is %d prompt tokens on inferd," + " %d on llama-server",
              probe.length(), inferdTokens, llamaTokens);
      if (llamaTokens == inferdTokens || template != null) {
        report.environment.put(
            "prompt",
            counts
                + (template == null
                    ? ""
                    : " (llama-server runs"
                        + " with inferd's rendering: contents joined by newlines)"));
        return llama;
      }
      llama.close();
      report.notes.add(
          counts
              + " with the model's ChatML template: inferd does not apply it"
              + " (JinjaChat renders plain text), so llama-server was restarted with a template that"
              + " renders as inferd does, to compare equal work");
      template = logs.resolve("plain-template.jinja");
      Files.writeString(template, PLAIN_TEMPLATE);
    }
  }

  /** What inferd's plain rendering does: each message's content, one per line. */
  static final String PLAIN_TEMPLATE =
      "{% for message in messages %}{% if not loop.first %}{{ '\\n' }}{% endif %}"
          + "{{ message['content'] }}{% endfor %}";

  private static void measureLevels(
      PeersConfig config, List<StreamTarget> targets, PeersReport report, Path out)
      throws Exception {
    for (StreamTarget t : targets) {
      System.out.println("  warm-up " + t.name());
      for (int level : List.of(config.maxLevel(), 1)) {
        LoadRun.Stats s = LoadRun.run(t, level, config.warmupCalls(), config.maxTokens() / 2);
        if (s.errors() > 0) {
          System.out.println("    warm-up errors: " + s.errors() + " " + s.errorSamples());
        }
      }
    }
    for (int level : config.levels()) {
      Map<String, List<LoadRun.Stats>> rounds = new LinkedHashMap<>();
      targets.forEach(t -> rounds.put(t.name(), new ArrayList<>()));
      for (int r = 0; r < config.rounds(); r++) {
        List<StreamTarget> order = new ArrayList<>(targets);
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (StreamTarget t : order) {
          LoadRun.Stats s = LoadRun.run(t, level, config.calls(), config.maxTokens());
          rounds.get(t.name()).add(s);
          System.out.printf(
              "    %2d streams %-12s %7.1f tok/s aggregate, %6.1f per stream, TTFT p50 %6.1f"
                  + " p99 %6.1f ms, %d tokens%s%n",
              level,
              t.name(),
              s.aggregateTokPerSec(),
              s.perStreamMedianTokPerSec(),
              s.ttftP50Millis(),
              s.ttftP99Millis(),
              s.tokens(),
              s.errors() > 0 ? ", " + s.errors() + " errors " + s.errorSamples() : "");
        }
      }
      report.levels.add(new PeersReport.Level(level, rounds));
      report.write(out); // a run cut short keeps the levels measured so far
    }
  }

  /** Tokens of each first-token request: enough to see the first, few enough to be many. */
  static final int FIRST_TOKEN_MAX_TOKENS = 16;

  /**
   * First-token latency on its own: short requests one at a time, in rounds of ten per target with
   * the order alternating, so the p50 stands on dozens of samples rather than a level's few.
   */
  private static void measureFirstToken(
      PeersConfig config, List<StreamTarget> targets, PeersReport report, Path out)
      throws Exception {
    if (config.firstTokenRequests() == 0) {
      return;
    }
    System.out.println("  first token");
    Map<String, List<LoadRun.Stats>> rounds = new LinkedHashMap<>();
    targets.forEach(t -> rounds.put(t.name(), new ArrayList<>()));
    int perRound = 10;
    for (int r = 0; r * perRound < config.firstTokenRequests(); r++) {
      List<StreamTarget> order = new ArrayList<>(targets);
      if (r % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (StreamTarget t : order) {
        rounds.get(t.name()).add(LoadRun.run(t, 1, perRound, FIRST_TOKEN_MAX_TOKENS));
      }
    }
    report.firstToken = new PeersReport.Level(1, rounds);
    rounds.forEach(
        (target, runs) -> {
          LoadRun.Stats s = report.firstToken.pooled(target).orElseThrow();
          System.out.printf(
              "    %-12s TTFT p50 %6.1f p99 %6.1f ms over %d requests%n",
              target, s.ttftP50Millis(), s.ttftP99Millis(), s.streams());
        });
    report.write(out);
  }

  private static void measureChat(
      PeersConfig config,
      OpenAiTarget llama,
      GrpcTarget grpc,
      OpenAiTarget rest,
      PeersReport report) {
    // Untimed two-turn conversations first, so that no target's first timed turn also pays for
    // loading and compiling its Chat path (templates, history handling).
    List<String> warmUp = ChatRun.userMessages(2, config.chatUserTokens(), 999);
    try {
      grpc.chat(warmUp);
      if (llama != null) {
        ChatRun.overOpenAi(llama, warmUp, config.chatReplyTokens(), 0.7f);
      }
      if (config.rest()) {
        ChatRun.overOpenAi(rest, warmUp, config.chatReplyTokens(), 0.7f);
      }
    } catch (Exception e) {
      report.notes.add("Chat warm-up failed: " + e);
    }
    for (int repeat = 0; repeat < config.chatRepeats(); repeat++) {
      // A conversation of its own per target: gRPC and REST share one server, and the second would
      // find the first's opening turn in a slot.
      long seed = 1000 + 10L * repeat;
      List<String> forGrpc =
          ChatRun.userMessages(config.chatTurns(), config.chatUserTokens(), seed);
      List<String> forLlama =
          ChatRun.userMessages(config.chatTurns(), config.chatUserTokens(), seed + 1);
      List<String> forRest =
          ChatRun.userMessages(config.chatTurns(), config.chatUserTokens(), seed + 2);
      List<Runnable> runs = new ArrayList<>();
      runs.add(() -> chat(report, "inferd gRPC Chat", () -> grpc.chat(forGrpc).millis()));
      if (llama != null) {
        runs.add(
            () ->
                chat(
                    report,
                    LLAMA,
                    () -> ChatRun.overOpenAi(llama, forLlama, config.chatReplyTokens(), 0.7f)));
      }
      if (config.rest()) {
        runs.add(
            () ->
                chat(
                    report,
                    "inferd REST",
                    () -> ChatRun.overOpenAi(rest, forRest, config.chatReplyTokens(), 0.7f)));
      }
      if (repeat % 2 == 1) {
        java.util.Collections.reverse(runs);
      }
      runs.forEach(Runnable::run);
    }
  }

  private interface ChatCall {
    List<Double> run() throws Exception;
  }

  private static void chat(PeersReport report, String target, ChatCall call) {
    try {
      List<Double> millis = call.run();
      report.chats.add(new ChatRun.Times(target, millis));
      System.out.printf(
          "    Chat %-16s turns (ms): %s%n",
          target, millis.stream().map(m -> String.format("%.0f", m)).toList());
    } catch (Exception e) {
      report.notes.add("Chat on " + target + " failed: " + e);
      System.out.println("    Chat on " + target + " failed: " + e);
    }
  }

  private static String llamaBuild(Path llamaDir) {
    try {
      return String.join(", ", Files.readAllLines(llamaDir.resolve("build.properties")))
          + " ("
          + llamaDir
          + ")";
    } catch (IOException e) {
      return llamaDir.toString();
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
