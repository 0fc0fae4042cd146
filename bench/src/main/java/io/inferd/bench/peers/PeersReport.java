package io.inferd.bench.peers;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/** The peer comparison's figures, written as peers.json and PEERS.md with issue 12's targets. */
final class PeersReport {
  static final String GRPC = "inferd gRPC";
  static final String REST = "inferd REST";
  static final String GRPC_CHAT = "inferd gRPC Chat";

  final PeersConfig config;
  final Map<String, String> environment = new LinkedHashMap<>();
  final List<LlamaBenchRun.Figure> llamaBench = new ArrayList<>();

  /** llama-bench at the Chat's first and last turn: sizes and depths of {@link #chats}. */
  final List<LlamaBenchRun.Figure> chatEngine = new ArrayList<>();

  final List<Level> levels = new ArrayList<>();
  Level firstToken; // null when not measured: the 1-stream level stands for it
  final List<ChatRun.Times> chats = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  PeersReport(PeersConfig config) {
    this.config = config;
  }

  /** One concurrency level: each target's runs, in the order measured. */
  record Level(int concurrency, Map<String, List<LoadRun.Stats>> rounds) {
    Optional<LoadRun.Stats> pooled(String target) {
      List<LoadRun.Stats> r = rounds.get(target);
      return r == null || r.isEmpty() ? Optional.empty() : Optional.of(LoadRun.Stats.pool(r));
    }

    /** Each target's runs pooled, in the order measured. */
    Map<String, LoadRun.Stats> pooled() {
      Map<String, LoadRun.Stats> pooled = new LinkedHashMap<>();
      rounds.keySet().forEach(target -> pooled.put(target, pooled(target).orElseThrow()));
      return pooled;
    }
  }

  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    OpenAiTarget.JSON
        .writer()
        .with(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("peers.json").toFile(), json());
    Files.writeString(dir.resolve("PEERS.md"), markdown());
  }

  private ObjectNode json() {
    ObjectNode root = OpenAiTarget.JSON.createObjectNode();
    root.put("config", config.describe());
    ObjectNode env = root.putObject("environment");
    environment.forEach(env::put);
    ObjectNode bench = root.putObject("llamaBench");
    llamaBenchFigures()
        .forEach(
            f ->
                bench
                    .putObject(f.label())
                    .put("tokPerSec", f.tokPerSec())
                    .put("stddev", f.stddev()));
    engineChatRatio().ifPresent(r -> root.put("chatEngineRatio", r));
    ArrayNode levelsNode = root.putArray("levels");
    for (Level level : levels) {
      ObjectNode l = levelsNode.addObject();
      l.put("concurrency", level.concurrency());
      for (String target : level.rounds().keySet()) {
        LoadRun.Stats s = level.pooled(target).orElseThrow();
        ObjectNode t = l.putObject(target);
        t.put("aggregateTokPerSec", s.aggregateTokPerSec());
        ArrayNode rounds = t.putArray("roundAggregates");
        level.rounds().get(target).forEach(r -> rounds.add(r.aggregateTokPerSec()));
        t.put("perStreamMedianTokPerSec", s.perStreamMedianTokPerSec());
        t.put("ttftP50Millis", s.ttftP50Millis());
        t.put("ttftP99Millis", s.ttftP99Millis());
        t.put("streams", s.streams());
        t.put("tokens", s.tokens());
        t.put("errors", s.errors());
        ArrayNode errors = t.putArray("errorSamples");
        s.errorSamples().forEach(errors::add);
      }
    }
    if (firstToken != null) {
      ObjectNode ft = root.putObject("firstToken");
      for (String target : firstToken.rounds().keySet()) {
        LoadRun.Stats s = firstToken.pooled(target).orElseThrow();
        ft.putObject(target)
            .put("ttftP50Millis", s.ttftP50Millis())
            .put("ttftP99Millis", s.ttftP99Millis())
            .put("requests", s.streams())
            .put("errors", s.errors());
      }
    }
    ArrayNode chatNode = root.putArray("chat");
    for (ChatRun.Times c : chats) {
      ObjectNode n = chatNode.addObject();
      n.put("target", c.target());
      ArrayNode ms = n.putArray("turnMillis");
      c.millis().forEach(ms::add);
      n.put("lastOverFirst", c.ratioLastToFirst());
    }
    ArrayNode targets = root.putArray("targets");
    for (Target t : targets()) {
      targets.addObject().put("target", t.name()).put("figure", t.figure()).put("met", t.met());
    }
    ArrayNode notesNode = root.putArray("notes");
    notes.forEach(notesNode::add);
    return root;
  }

  private String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# inferd beside llama.cpp: same model, same cores\n\n");
    md.append("Configuration: ").append(config.describe()).append(".\n\n");
    environment.forEach((k, v) -> md.append("- ").append(k).append(": `").append(v).append("`\n"));
    md.append("\n## Targets (issue 12)\n\n| target | measured | |\n|---|---|---|\n");
    for (Target t : targets()) {
      md.append("| ")
          .append(t.name())
          .append(" | ")
          .append(t.figure())
          .append(" | ")
          .append(t.met() == null ? "not measured" : t.met() ? "met" : "**not met**")
          .append(" |\n");
    }
    md.append("\n## Engine ceiling: llama-bench\n\n| test | tok/s |\n|---|---:|\n");
    llamaBenchFigures()
        .forEach(
            f ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %.1f ± %.1f |%n",
                        f.label(),
                        f.tokPerSec(),
                        f.stddev())));
    md.append("\n## Streaming load\n\n")
        .append("Aggregate: tokens of all streams ÷ the run's wall time (mean of the rounds, each")
        .append(" round listed). Per stream: median over streams of (tokens − 1) ÷ (last token −")
        .append(
            " first token). TTFT: request sent → first content token, as the client sees it.\n\n")
        .append("| streams | server | aggregate tok/s | rounds | per stream tok/s | TTFT p50 ms |")
        .append(" TTFT p99 ms | streams × tokens | errors |\n")
        .append("|---:|---|---:|---|---:|---:|---:|---|---:|\n");
    for (Level level : levels) {
      level.pooled().forEach((target, s) -> md.append(loadRow(level, target, s)));
    }
    md.append("\n### inferd ÷ llama-server\n\n")
        .append(
            "| streams | gRPC aggregate | gRPC per stream | gRPC TTFT p50 Δ ms | REST aggregate |")
        .append(" REST per stream | REST TTFT p50 Δ ms |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Level level : levels) {
      Optional<LoadRun.Stats> llama = level.pooled(PeersSuite.LLAMA);
      if (llama.isEmpty()) {
        continue;
      }
      md.append("| ").append(level.concurrency());
      for (String target : List.of(GRPC, REST)) {
        Optional<LoadRun.Stats> s = level.pooled(target);
        md.append(
            s.map(
                    x ->
                        String.format(
                            Locale.ROOT,
                            " | %.0f%% | %.0f%% | %+.1f",
                            100 * x.aggregateTokPerSec() / llama.get().aggregateTokPerSec(),
                            100
                                * x.perStreamMedianTokPerSec()
                                / llama.get().perStreamMedianTokPerSec(),
                            x.ttftP50Millis() - llama.get().ttftP50Millis()))
                .orElse(" | – | – | –"));
      }
      md.append(" |\n");
    }
    if (firstToken != null) {
      md.append("\n## First token\n\n")
          .append("Requests of ")
          .append(PeersSuite.FIRST_TOKEN_MAX_TOKENS)
          .append(" tokens, one at a time, in rounds of ten per target (order alternating).\n\n")
          .append("| server | TTFT p50 ms | TTFT p99 ms | requests | errors |\n")
          .append("|---|---:|---:|---:|---:|\n");
      firstToken.pooled().forEach((target, s) -> md.append(firstTokenRow(target, s)));
    }
    md.append("\n## Growing Chat\n\n")
        .append("Each turn adds ~")
        .append(config.chatUserTokens())
        .append(" tokens of user text")
        .append(" and asks for ")
        .append(config.chatReplyTokens())
        .append(" tokens (temperature")
        .append(" 0.7, inferd's Chat default). inferd gRPC Chat: one bidirectional call for all")
        .append(" turns. llama-server and inferd REST: the whole history each turn. Milliseconds")
        .append(" from the user message sent to the whole reply received.\n\n");
    engineChatRatio()
        .ifPresent(
            r ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "llama.cpp alone (llama-bench, same model, threads and flash attention)"
                            + " prefills a turn of %d tokens and decodes %d in %.2f × the time"
                            + " at %d tokens of history (the last turn's) that it takes in an"
                            + " empty context (the first turn's): the engine's own floor under"
                            + " every server's ratio below.%n%n",
                        config.chatTurnPromptTokens(),
                        config.chatReplyTokens(),
                        r,
                        config.chatLastTurnDepth())));
    List<String> chatTargets = chats.stream().map(ChatRun.Times::target).distinct().toList();
    md.append("| turn |");
    chatTargets.forEach(t -> md.append(" ").append(t).append(" |"));
    md.append("\n|---:|").append("---:|".repeat(chatTargets.size())).append('\n');
    for (int turn = 0; turn < config.chatTurns(); turn++) {
      md.append("| ").append(turn + 1).append(" |");
      for (String target : chatTargets) {
        int t = turn;
        md.append(" ")
            .append(
                chats.stream()
                    .filter(c -> c.target().equals(target) && c.millis().size() > t)
                    .map(c -> String.format(Locale.ROOT, "%.0f", c.millis().get(t)))
                    .toList()
                    .toString()
                    .replaceAll("[\\[\\]]", ""))
            .append(" |");
      }
      md.append('\n');
    }
    md.append("| turn last ÷ first |");
    for (String target : chatTargets) {
      md.append(" ")
          .append(
              chats.stream()
                  .filter(c -> c.target().equals(target))
                  .map(c -> String.format(Locale.ROOT, "%.2f", c.ratioLastToFirst()))
                  .toList()
                  .toString()
                  .replaceAll("[\\[\\]]", ""))
          .append(" |");
    }
    md.append('\n');
    if (!notes.isEmpty()) {
      md.append("\n## Notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  private static String loadRow(Level level, String target, LoadRun.Stats s) {
    List<String> rounds =
        level.rounds().get(target).stream()
            .map(r -> String.format(Locale.ROOT, "%.0f", r.aggregateTokPerSec()))
            .toList();
    return String.format(
        Locale.ROOT,
        "| %d | %s | %.1f | %s | %.1f | %.1f | %.1f | %d × %.0f | %d |%n",
        level.concurrency(),
        target,
        s.aggregateTokPerSec(),
        rounds,
        s.perStreamMedianTokPerSec(),
        s.ttftP50Millis(),
        s.ttftP99Millis(),
        s.streams(),
        s.streams() == 0 ? 0.0 : (double) s.tokens() / s.streams(),
        s.errors());
  }

  private static String firstTokenRow(String target, LoadRun.Stats s) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f | %.1f | %d | %d |%n",
        target,
        s.ttftP50Millis(),
        s.ttftP99Millis(),
        s.streams(),
        s.errors());
  }

  /** One of issue 12's targets: met is null when not measured. */
  record Target(String name, String figure, Boolean met) {}

  List<Target> targets() {
    List<Target> t = new ArrayList<>();
    for (int streams : List.of(1, 8, 16)) {
      String name =
          "StreamComplete ≥ 95% of llama-server's aggregate tok/s at "
              + streams
              + (streams == 1 ? " stream" : " streams");
      t.add(ratioTarget(name, streams, 0.95));
    }
    Optional<Level> one = level(1);
    Optional<LoadRun.Stats> g1 = one.flatMap(l -> l.pooled(GRPC));
    Optional<Level> ttftLevel = firstToken != null ? Optional.of(firstToken) : one;
    Optional<LoadRun.Stats> gt = ttftLevel.flatMap(l -> l.pooled(GRPC));
    Optional<LoadRun.Stats> lt = ttftLevel.flatMap(l -> l.pooled(PeersSuite.LLAMA));
    if (gt.isPresent() && lt.isPresent()) {
      double delta = gt.get().ttftP50Millis() - lt.get().ttftP50Millis();
      t.add(
          new Target(
              "StreamComplete TTFT within 2 ms of llama-server's (p50, 1 stream, "
                  + gt.get().streams()
                  + " requests)",
              String.format(
                  Locale.ROOT,
                  "%.1f vs %.1f ms (%+.1f ms)",
                  gt.get().ttftP50Millis(),
                  lt.get().ttftP50Millis(),
                  delta),
              delta <= 2.0));
    } else {
      t.add(new Target("StreamComplete TTFT within 2 ms of llama-server's", "–", null));
    }
    Optional<LlamaBenchRun.Figure> tg =
        llamaBench.stream().filter(f -> f.test().startsWith("tg") && f.depth() == 0).findFirst();
    if (g1.isPresent() && tg.isPresent()) {
      double ratio = g1.get().perStreamMedianTokPerSec() / tg.get().tokPerSec();
      t.add(
          new Target(
              "StreamComplete 1 stream ≥ 90% of llama-bench " + tg.get().test(),
              String.format(
                  Locale.ROOT,
                  "%.1f vs %.1f tok/s (%.0f%%)",
                  g1.get().perStreamMedianTokPerSec(),
                  tg.get().tokPerSec(),
                  100 * ratio),
              ratio >= 0.90));
    } else {
      t.add(new Target("StreamComplete 1 stream ≥ 90% of llama-bench tg", "–", null));
    }
    List<ChatRun.Times> grpcChats =
        chats.stream().filter(c -> c.target().equals(GRPC_CHAT) && c.millis().size() >= 2).toList();
    if (!grpcChats.isEmpty()) {
      double ratio =
          LoadRun.percentile(
              grpcChats.stream().mapToDouble(ChatRun.Times::ratioLastToFirst).toArray(), 50);
      t.add(
          new Target(
              "Chat turn " + config.chatTurns() + " ≤ 1.3 × turn 1 (gRPC Chat)",
              String.format(Locale.ROOT, "%.2f ×", ratio) + engineChatNote(),
              ratio <= 1.3));
    } else {
      t.add(new Target("Chat last turn ≤ 1.3 × turn 1", "–", null));
    }
    return t;
  }

  /** Every llama-bench figure: the ceiling's, then the Chat turns'. */
  Stream<LlamaBenchRun.Figure> llamaBenchFigures() {
    return Stream.concat(llamaBench.stream(), chatEngine.stream());
  }

  private String engineChatNote() {
    OptionalDouble engine = engineChatRatio();
    return engine.isPresent()
        ? String.format(Locale.ROOT, " (llama.cpp alone: %.2f ×)", engine.getAsDouble())
        : "";
  }

  /** llama.cpp's own last-turn ÷ first-turn time at the Chat's sizes, when measured. */
  private OptionalDouble engineChatRatio() {
    return LlamaBenchRun.turnRatio(
        chatEngine,
        config.chatTurnPromptTokens(),
        config.chatReplyTokens(),
        config.chatLastTurnDepth());
  }

  private Target ratioTarget(String name, int streams, double min) {
    Optional<Level> level = level(streams);
    Optional<LoadRun.Stats> g = level.flatMap(l -> l.pooled(GRPC));
    Optional<LoadRun.Stats> l = level.flatMap(x -> x.pooled(PeersSuite.LLAMA));
    if (g.isEmpty() || l.isEmpty()) {
      return new Target(name, "–", null);
    }
    double ratio = g.get().aggregateTokPerSec() / l.get().aggregateTokPerSec();
    return new Target(
        name,
        String.format(
            Locale.ROOT,
            "%.1f vs %.1f tok/s (%.0f%%)",
            g.get().aggregateTokPerSec(),
            l.get().aggregateTokPerSec(),
            100 * ratio),
        ratio >= min);
  }

  private Optional<Level> level(int concurrency) {
    return levels.stream().filter(l -> l.concurrency() == concurrency).findFirst();
  }
}
