package io.inferd.bench.server;

import io.inferd.app.FlashAttentionConverter;
import io.inferd.app.GrpcTransport;
import io.inferd.app.Inferd;
import io.inferd.app.InferdConfig;
import io.inferd.bench.Payloads;
import io.inferd.bench.engine.BenchOnlyEngine;
import io.inferd.engine.FlashAttention;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.server.core.CoreLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server the benchmarks drive, in a JVM of its own: the same {@link Inferd} object {@code
 * inferd serve} builds, from serve's configuration with free ports, plus a {@link ControlEndpoint}
 * for heap and thread figures. It lives in the bench module so that the {@link BenchOnlyEngine} is
 * selectable here and nowhere in {@code inferd serve}.
 */
@Command(
    name = "bench-server",
    mixinStandardHelpOptions = true,
    description =
        "inferd's gRPC + REST server for benchmarks; prints 'bench-server ready: …' with its"
            + " ports.")
public final class BenchServer implements Callable<Integer> {
  @Option(
      names = "--engine",
      defaultValue = "bench",
      description = "bench (BenchOnlyEngine: no compute) or llama")
  String engine;

  @Option(names = "--model", description = "GGUF file for --engine llama")
  Path model;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "llama.cpp threads; 0 = one per core")
  int threads;

  @Option(
      names = "--parallel",
      defaultValue = "2",
      description = "generations at once (scheduler slots)")
  int parallel;

  @Option(names = "--queue", defaultValue = "16", description = "requests that may wait for a slot")
  int queue;

  @Option(
      names = "--token-interval-ms",
      defaultValue = "0",
      description = "bench engine: pause between tokens")
  long tokenIntervalMillis;

  @Option(
      names = "--max-streams-per-connection",
      defaultValue = "1000",
      description = "as inferd serve's option of the same name (default 1000, as there)")
  int maxStreamsPerConnection;

  @Option(
      names = "--max-tokens-limit",
      defaultValue = "4096",
      description = "largest max_tokens accepted")
  int maxTokensLimit;

  @Option(
      names = "--default-max-tokens",
      defaultValue = "256",
      description = "max_tokens when a request sets none, e.g. a Chat turn (serve's default: 256)")
  int defaultMaxTokens;

  @Option(
      names = "--flash-attn",
      defaultValue = "auto",
      converter = FlashAttentionConverter.class,
      description = "llama engine: auto, on or off (as serve's --flash-attn)")
  FlashAttention flashAttention;

  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger(); // Helidon's java.util.logging → Logback
    SLF4JBridgeHandler.install();
    int code = new CommandLine(new BenchServer()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    Running running = start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close(); // no grace: the load generator has finished (or given up on) its
                  // calls
                  Runtime.getRuntime().halt(0); // llama.cpp leaves a native thread behind
                },
                "bench-server-shutdown"));
    System.out.printf(
        "bench-server ready: pid=%d grpc=%d http=%d metrics=%d control=%d engine=%s models=%s%n",
        ProcessHandle.current().pid(),
        running.grpcPort(),
        running.httpPort(),
        running.inferd.metricsPort(),
        running.control.port(),
        engine,
        String.join(",", running.registry.generatorNames()));
    System.out.flush();
    running.inferd.awaitTermination();
    return 0;
  }

  /** Starts a server in this JVM with BenchServer's options: for tests. */
  public static Running startInProcess(String... args) throws Exception {
    BenchServer options = new BenchServer();
    new CommandLine(options).parseArgs(args);
    return options.start();
  }

  /** Builds and starts everything; in-process for tests, in its own JVM for the benchmarks. */
  Running start() throws Exception {
    ModelRegistry registry = registry();
    // serve's configuration, on free ports, with --max-streams-per-connection settable
    InferdConfig config =
        InferdConfig.builder()
            .host(host)
            .ports(0, 0, 0)
            .parallel(parallel)
            .queue(queue)
            .limits(new CoreLimits(defaultMaxTokens, maxTokensLimit, 2048, 0.7f, 32_768))
            .transport(
                GrpcTransport.defaults()
                    .withMaxConcurrentCallsPerConnection(maxStreamsPerConnection))
            .build();
    Inferd inferd;
    try {
      inferd = Inferd.start(config, registry);
    } catch (Exception e) {
      registry.close();
      throw e;
    }
    return new Running(registry, inferd, ControlEndpoint.start(host));
  }

  /** A started server: gRPC, REST, metrics and control ports over one core. */
  public static final class Running implements AutoCloseable {
    final ModelRegistry registry;
    final Inferd inferd;
    final ControlEndpoint control;

    Running(ModelRegistry registry, Inferd inferd, ControlEndpoint control) {
      this.registry = registry;
      this.inferd = inferd;
      this.control = control;
    }

    public int grpcPort() {
      return inferd.grpcPort();
    }

    public int httpPort() {
      return inferd.httpPort();
    }

    public int controlPort() {
      return control.port();
    }

    @Override
    public void close() {
      control.close();
      inferd.stop(Duration.ZERO);
      registry.close(); // the registry is this class's, not Inferd's
    }
  }

  private ModelRegistry registry() {
    return switch (engine) {
      case "bench" -> {
        var bench = new BenchOnlyEngine(Duration.ofMillis(tokenIntervalMillis), parallel);
        yield ModelRegistry.builder()
            .generator(Payloads.MODEL, bench)
            .embedder(Payloads.EMBED_MODEL, bench)
            .build();
      }
      case "llama" -> {
        if (model == null) {
          throw new IllegalArgumentException("--engine llama needs --model PATH.gguf");
        }
        int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        String name = model.getFileName().toString().replaceFirst("\\.gguf$", "");
        yield ModelRegistry.builder()
            .generator(
                name,
                LlamaGenerator.load(
                    model,
                    new LlamaOptions(
                        cores, parallel, 0, LlamaOptions.ALL_GPU_LAYERS, flashAttention)))
            .build();
      }
      default ->
          throw new IllegalArgumentException("--engine: " + engine + " (expected: bench or llama)");
    };
  }
}
