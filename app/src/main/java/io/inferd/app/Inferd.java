package io.inferd.app;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.inferd.engine.EngineSettings;
import io.inferd.engine.Engines;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.ModelSpec;
import io.inferd.engine.Scheduler;
import io.inferd.engine.onnx.MiniLmEmbedder;
import io.inferd.server.InferdServer;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.rest.ListenerSettings;
import io.inferd.server.rest.RestGateway;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.MetricsEndpoint;
import io.inferd.server.telemetry.Telemetry;
import io.inferd.server.telemetry.Tracing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inferd application, wired in this one place from an {@link InferdConfig}: models → request
 * core → gRPC server, REST gateway and metrics endpoint over that core. {@code inferd serve}, the
 * benchmark server and the end-to-end tests all build it, so they run what ships. {@link #stop}
 * undoes {@link #start} in reverse; what the caller handed in (a model registry) stays the caller's
 * to close.
 */
public final class Inferd {
  private static final Logger log = LoggerFactory.getLogger(Inferd.class);

  private final InferdConfig config;
  private final ModelRegistry models;
  private final boolean ownsModels;
  private final InferenceCore core;
  private final Telemetry telemetry;
  private final InferdServer grpc;
  private final ForkJoinPool grpcCalls = CallExecutor.create();
  private RestGateway rest; // null when off
  private MetricsEndpoint metrics; // null when off
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Inferd(
      InferdConfig config, NettyServerBuilder transport, ModelRegistry models, boolean ownsModels) {
    this.config = config;
    this.models = models;
    this.ownsModels = ownsModels;
    var scheduler =
        new Scheduler(
            config.parallel() * models.generatorNames().size(),
            config.queue(),
            config.queueRetryAfter().toMillis());
    this.core = new InferenceCore(models, scheduler, config.limits(), config.fastMode());
    this.telemetry =
        new Telemetry(
            new AccessLog(), new InferdMetrics(scheduler), Tracing.start(config.tracing()));
    var rateLimiter = new RateLimiter(config.rateLimit(), config.rateBurst());
    this.grpc =
        new InferdServer(
            transport.executor(grpcCalls),
            core,
            new InferdServer.Settings(
                config.keys(),
                rateLimiter,
                telemetry,
                config.streamIdleTimeout(),
                config.compressResponses(),
                config.clock()));
    if (config.httpPort() >= 0) {
      this.rest =
          new RestGateway(
              core,
              config.keys(),
              rateLimiter,
              telemetry,
              config.streamIdleTimeout(),
              httpListener(config));
    }
  }

  /** Loads the configured models and starts serving them. */
  public static Inferd start(InferdConfig config) throws IOException {
    NettyServerBuilder transport = transport(config); // TLS files are read before any model loads
    ModelRegistry models = loadModels(config);
    Inferd inferd;
    try {
      inferd = new Inferd(config, transport, models, true);
    } catch (RuntimeException e) {
      models.close();
      throw e;
    }
    return inferd.listen(); // a failure there stops what started, the models included
  }

  /**
   * Serves {@code models} instead of the configured ones (benchmarks, tests); they stay the
   * caller's to close.
   */
  public static Inferd start(InferdConfig config, ModelRegistry models) throws IOException {
    return new Inferd(config, transport(config), requireNonNull(models, "models"), false).listen();
  }

  /** The REST and metrics listeners speak TLS (and mTLS) whenever gRPC does. */
  private static ListenerSettings httpListener(InferdConfig config) {
    return config.httpListener().withTls(config.transport().httpTls());
  }

  private static NettyServerBuilder transport(InferdConfig config) throws IOException {
    return config.transport().builder(new InetSocketAddress(config.host(), config.grpcPort()));
  }

  /** The registry of {@code config}'s models; a model that cannot load is a ModelLoadException. */
  static ModelRegistry loadModels(InferdConfig config) {
    int threads =
        config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
    var settings =
        new EngineSettings(
            threads,
            config.parallel(),
            config.contextTokens(),
            config.gpuLayers(),
            config.flashAttention(),
            config.upstreamApiKey());
    Engines engines = Engines.installed();
    ModelRegistry.Builder registry =
        ModelRegistry.builder().defaultGenerator(config.defaultModel());
    try {
      for (ModelSpec model : config.generators()) {
        registry.generator(model.name(), engines.generator(model, settings));
      }
      if (config.miniLm()) {
        registry.embedder(MiniLmEmbedder.DEFAULT_NAME, MiniLmEmbedder.load());
      }
      for (ModelSpec model : config.embedders()) {
        registry.embedder(model.name(), engines.embedder(model, settings));
      }
      return registry.build();
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
  }

  /** gRPC, then REST, then metrics; on a failure what already listens is stopped again. */
  private Inferd listen() throws IOException {
    String option = "--port";
    try {
      grpc.start();
      if (rest != null) {
        option = "--http-port";
        rest.start(config.host(), config.httpPort());
        rest.onListenerChange(grpc::restListenerUp); // gRPC health covers the REST port too
      }
      if (config.metricsPort() >= 0) {
        option = "--metrics-port";
        ListenerSettings listener = httpListener(config);
        boolean local = config.metricsPlaintext() && listener.secure();
        metrics =
            MetricsEndpoint.start(
                local ? "127.0.0.1" : config.host(),
                config.metricsPort(),
                telemetry.metrics(),
                local ? listener.withTls(null) : listener);
      }
      return this;
    } catch (IOException e) {
      stop(Duration.ZERO);
      throw new ListenException(option, e);
    }
  }

  /**
   * Graceful stop within {@code grace}: both protocols refuse new calls and drain at once; running
   * calls get the grace less a reserve (a quarter of it, at most one second), after which those
   * still open are ended (gRPC: UNAVAILABLE; REST: a shutting_down error event or 503) and their
   * engine work cancelled; the reserve covers that, closing the ports and the core. Then tracing
   * (its last spans exported) and the models this object loaded are closed.
   */
  public void stop(Duration grace) {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + grace.toNanos();
    Duration reserve = min(Duration.ofSeconds(1), grace.dividedBy(4));
    Duration drain = grace.minus(reserve);
    Duration endTimeout = reserve.dividedBy(2); // for ended calls to leave the transports
    RestGateway restGateway = rest;
    var restStopped =
        restGateway == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(() -> restGateway.stop(drain, endTimeout));
    grpc.stop(drain, endTimeout);
    grpcCalls.shutdown(); // the server has ended its calls; a handler still inside finishes
    restStopped.join();
    if (metrics != null) {
      metrics.close();
    }
    core.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    telemetry.close(); // the last spans go out
    if (ownsModels) {
      models.close();
    }
    log.info("stopped");
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** {@link #stop(Duration)} with the configured shutdown grace. */
  public void stop() {
    stop(config.shutdownGrace());
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  public InferdConfig config() {
    return config;
  }

  public ModelRegistry models() {
    return models;
  }

  public int grpcPort() {
    return grpc.port();
  }

  /** The REST port, or -1 when REST is off. */
  public int httpPort() {
    return rest == null ? -1 : rest.port();
  }

  /** The metrics port, or -1 when metrics are off. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  InferenceCore core() {
    return core;
  }

  Telemetry telemetry() {
    return telemetry;
  }

  RestGateway rest() {
    return rest;
  }

  /** A port could not be listened on; {@link #option()} names the option that sets it. */
  public static final class ListenException extends IOException {
    private final String option;

    ListenException(String option, IOException cause) {
      super(cause.getMessage(), cause);
      this.option = option;
    }

    public String option() {
      return option;
    }
  }
}
