package io.inferd.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.engine.TextGenerator;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.Telemetry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The production wiring on Netty at 127.0.0.1:0, with a plaintext channel to it. */
final class RunningServer implements AutoCloseable {
  /** Short default answers keep multi-turn chats inside the tiny model's 256-token context. */
  static final CoreLimits TEST_LIMITS = new CoreLimits(16, 4096, 2048, 0.7f);

  final InferenceCore core;
  final InferdServer server;
  final ManagedChannel channel;

  final Telemetry telemetry;

  private RunningServer(InferenceCore core, ApiKeyStore keys, RateLimiter rateLimiter)
      throws Exception {
    this(core, keys, rateLimiter, Duration.ofSeconds(60), false);
  }

  private RunningServer(
      InferenceCore core,
      ApiKeyStore keys,
      RateLimiter rateLimiter,
      Duration streamIdleTimeout,
      boolean compress)
      throws Exception {
    this.core = core;
    this.telemetry = new Telemetry(new AccessLog(), new InferdMetrics(core.scheduler()));
    this.server =
        new InferdServer(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                core,
                new InferdServer.Settings(
                    keys, rateLimiter, telemetry, streamIdleTimeout, compress, Clock.systemUTC()))
            .start();
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  /** The production wiring over a core the test built. */
  static RunningServer wrap(InferenceCore core) throws Exception {
    return new RunningServer(core, ApiKeyStore.disabled(), RateLimiter.off());
  }

  static RunningServer start(TextGenerator generator, int slots, int queue) throws Exception {
    return start(generator, slots, queue, ApiKeyStore.disabled());
  }

  static RunningServer start(TextGenerator generator, int slots, int queue, ApiKeyStore keys)
      throws Exception {
    return start(generator, slots, queue, keys, RateLimiter.off(), TEST_LIMITS);
  }

  static RunningServer start(
      TextGenerator generator,
      int slots,
      int queue,
      ApiKeyStore keys,
      RateLimiter rateLimiter,
      CoreLimits limits)
      throws Exception {
    ModelRegistry registry =
        ModelRegistry.builder()
            .generator("tiny", generator)
            .embedder("all-minilm-l6-v2", TestModels.embedder())
            .build();
    return new RunningServer(
        new InferenceCore(registry, new Scheduler(slots, queue, 500), limits), keys, rateLimiter);
  }

  /** One slot, and streams that nobody reads end after {@code streamIdleTimeout}. */
  static RunningServer withStreamIdleTimeout(TextGenerator generator, Duration streamIdleTimeout)
      throws Exception {
    ModelRegistry registry = ModelRegistry.builder().generator("tiny", generator).build();
    return new RunningServer(
        new InferenceCore(registry, new Scheduler(1, 1, 500), new CoreLimits(16, 4096, 16, 0.7f)),
        ApiKeyStore.disabled(),
        RateLimiter.off(),
        streamIdleTimeout,
        false);
  }

  /** Offers gzip to clients that accept it. */
  static RunningServer withCompression(TextGenerator generator) throws Exception {
    ModelRegistry registry =
        ModelRegistry.builder()
            .generator("tiny", generator)
            .embedder("all-minilm-l6-v2", TestModels.embedder())
            .build();
    return new RunningServer(
        new InferenceCore(registry, new Scheduler(1, 1, 500), TEST_LIMITS),
        ApiKeyStore.disabled(),
        RateLimiter.off(),
        Duration.ofSeconds(60),
        true);
  }

  InferenceServiceGrpc.InferenceServiceBlockingStub blocking() {
    return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  InferenceServiceGrpc.InferenceServiceStub async() {
    return InferenceServiceGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop(Duration.ofSeconds(1));
  }
}
