package io.inferd.bench.peers;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./bench.sh peers [options]}: only the peer comparison (inferd beside llama.cpp). */
@Command(
    name = "bench.sh peers",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Runs llama-bench, llama-server and inferd (gRPC, REST) on the same model and cores and"
            + " writes peers.json and PEERS.md.")
public final class PeersMain implements Callable<Integer> {
  @Option(names = "--quick", description = "The short configuration (one round per level).")
  boolean quick;

  @Option(
      names = "--model",
      paramLabel = "GGUF",
      description = "Model (default: the bench's random 125 M Q8_0 Llama, written once).")
  Path model;

  @Option(
      names = "--llama-dir",
      paramLabel = "DIR",
      description = "llama.cpp build (default: $INFERD_LLAMA_DIR, as ./bench.sh sets it).")
  Path llamaDir;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Report directory (default: bench/target/peers).")
  Path out;

  @Option(names = "--levels", split = ",", description = "Concurrent streams (default 1,2,4,8,16).")
  List<Integer> levels;

  @Option(names = "--calls", description = "Streams per worker per run.")
  Integer calls;

  @Option(names = "--rounds", description = "Runs per target and level, targets alternating.")
  Integer rounds;

  @Option(names = "--tokens", description = "max_tokens of each stream (default 128).")
  Integer tokens;

  @Option(names = "--chat-repeats", description = "Conversations per target.")
  Integer chatRepeats;

  @Option(names = "--threads", description = "llama.cpp threads on every side (default 2).")
  Integer threads;

  @Option(
      names = "--flash-attn",
      defaultValue = "auto",
      paramLabel = "auto|on|off",
      description = "llama.cpp's flash attention on every side (default: auto, as llama-server).")
  String flashAttn;

  @Option(names = "--no-rest", description = "Skip inferd's REST gateway.")
  boolean noRest;

  @Option(names = "--home", hidden = true, defaultValue = "${sys:inferd.home:-.}")
  Path home;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(new CommandLine(new PeersMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    home = home.toAbsolutePath().normalize();
    PeersConfig c = quick ? PeersConfig.quick() : PeersConfig.full();
    c =
        new PeersConfig(
            threads != null ? threads : c.threads(),
            levels != null ? levels : c.levels(),
            calls != null ? calls : c.calls(),
            rounds != null ? rounds : c.rounds(),
            tokens != null ? tokens : c.maxTokens(),
            c.warmupCalls(),
            c.chatTurns(),
            c.chatUserTokens(),
            c.chatReplyTokens(),
            chatRepeats != null ? chatRepeats : c.chatRepeats(),
            c.slotContext(),
            c.llamaBenchRepetitions(),
            !noRest && c.rest(),
            flashAttn,
            c.firstTokenRequests());
    Path dir = llamaDir != null ? llamaDir : envLlamaDir();
    if (dir == null) {
      System.err.println(
          "peers: no llama.cpp build: pass --llama-dir or set INFERD_LLAMA_DIR"
              + " (engine/native/build-llama.sh --tools prints it)");
      return 2;
    }
    Path report = run(c, dir, model, home, out != null ? out : home.resolve("bench/target/peers"));
    System.out.println("report: " + report);
    return 0;
  }

  /** The phase as ./bench.sh runs it: work files under bench/target/bench-peers. */
  public static Path run(PeersConfig config, Path llamaDir, Path model, Path home, Path out)
      throws Exception {
    System.out.println("peers: " + config.describe());
    return PeersSuite.run(config, llamaDir, model, home.resolve("bench/target/bench-peers"), out);
  }

  public static Path envLlamaDir() {
    String dir = System.getProperty("inferd.llama.dir", System.getenv("INFERD_LLAMA_DIR"));
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }
}
