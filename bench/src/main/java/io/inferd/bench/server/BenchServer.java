package io.inferd.bench.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.inferd.bench.Payloads;
import io.inferd.bench.engine.BenchOnlyEngine;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.server.InferdServer;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.FastMode;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.rest.RestGateway;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.MetricsEndpoint;
import io.inferd.server.telemetry.Telemetry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server the benchmarks drive, in a JVM of its own: inferd's production wiring exactly as
 * {@code ServeCommand} builds it ({@link InferenceCore}, {@link InferdServer} on Netty with serve's
 * transport defaults, {@link RestGateway}, {@link MetricsEndpoint}), gRPC and REST in one process
 * over one core, plus a {@link ControlEndpoint} for heap and thread figures. It lives in the bench
 * module so that the {@link BenchOnlyEngine} is selectable here and nowhere in {@code inferd
 * serve}.
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
                  running
                      .close(); // no grace: the load generator has finished (or given up on) its
                                // calls
                  Runtime.getRuntime().halt(0); // llama.cpp leaves a native thread behind
                },
                "bench-server-shutdown"));
    System.out.printf(
        "bench-server ready: pid=%d grpc=%d http=%d metrics=%d control=%d engine=%s models=%s%n",
        ProcessHandle.current().pid(),
        running.grpcPort(),
        running.httpPort(),
        running.metrics.port(),
        running.control.port(),
        engine,
        String.join(",", running.registry.generatorNames()));
    System.out.flush();
    running.server.awaitTermination();
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
    var scheduler = new Scheduler(parallel, queue, 1000);
    // serve's defaults: --default-max-tokens 256, --max-embed-texts 2048, chat temperature 0.7,
    // --max-prompt-tokens 32768, fast mode below 5 s (the benchmark clients set 60 s deadlines).
    var core =
        new InferenceCore(
            registry,
            scheduler,
            new CoreLimits(defaultMaxTokens, maxTokensLimit, 2048, 0.7f, 32_768),
            new FastMode(Duration.ofSeconds(5), 32, ""));
    var telemetry = new Telemetry(new AccessLog(), new InferdMetrics(scheduler));
    var keys = ApiKeyStore.disabled();
    var rateLimiter = RateLimiter.off();
    // GrpcTransportOptions' defaults, with --max-streams-per-connection settable.
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, 0))
            .keepAliveTime(60, TimeUnit.SECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxInboundMessageSize(4 << 20)
            .maxConcurrentCallsPerConnection(maxStreamsPerConnection)
            .maxConnectionIdle(1800, TimeUnit.SECONDS)
            .maxConnectionAge(1800, TimeUnit.SECONDS)
            .maxConnectionAgeGrace(300, TimeUnit.SECONDS);
    var server =
        new InferdServer(
            builder,
            core,
            new InferdServer.Settings(
                keys, rateLimiter, telemetry, Duration.ofSeconds(60), Clock.systemUTC()));
    server.start();
    RestGateway rest = new RestGateway(core, keys, rateLimiter, telemetry).start(host, 0);
    MetricsEndpoint metrics = MetricsEndpoint.start(host, 0, telemetry.metrics());
    ControlEndpoint control = ControlEndpoint.start(host);
    return new Running(registry, server, rest, metrics, control);
  }

  /** A started server: gRPC, REST, metrics and control ports over one core. */
  public static final class Running implements AutoCloseable {
    final ModelRegistry registry;
    final InferdServer server;
    final RestGateway rest;
    final MetricsEndpoint metrics;
    final ControlEndpoint control;

    Running(
        ModelRegistry registry,
        InferdServer server,
        RestGateway rest,
        MetricsEndpoint metrics,
        ControlEndpoint control) {
      this.registry = registry;
      this.server = server;
      this.rest = rest;
      this.metrics = metrics;
      this.control = control;
    }

    public int grpcPort() {
      return server.port();
    }

    public int httpPort() {
      return rest.port();
    }

    public int controlPort() {
      return control.port();
    }

    @Override
    public void close() {
      control.close();
      rest.stop(Duration.ZERO);
      server.stop(Duration.ZERO); // also closes the core
      metrics.close();
      registry.close();
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
            .generator(name, LlamaGenerator.load(model, new LlamaOptions(cores, parallel, 0)))
            .build();
      }
      default ->
          throw new IllegalArgumentException("--engine: " + engine + " (expected: bench or llama)");
    };
  }
}
