package io.inferd.app;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.TextGenerator;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.FastMode;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.telemetry.Telemetry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The production wiring ({@link Inferd}) at 127.0.0.1 on free ports over the test's models, with a
 * plaintext channel to its gRPC port.
 */
final class RunningServer implements AutoCloseable {
  /** Short default answers keep multi-turn chats inside the tiny model's 256-token context. */
  static final CoreLimits TEST_LIMITS = new CoreLimits(16, 4096, 2048, 0.7f);

  final Inferd server;
  final InferenceCore core;
  final Telemetry telemetry;
  final ManagedChannel channel;

  private RunningServer(InferdConfig config, ModelRegistry models) throws Exception {
    this.server = Inferd.start(config, models);
    this.core = server.core();
    this.telemetry = server.telemetry();
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  /**
   * serve's configuration on free ports (metrics off), one-token answers by default, and the
   * scheduler's retry hint at 500 ms.
   */
  static InferdConfig.Builder testConfig() {
    return InferdConfig.builder()
        .ports(0, 0, -1)
        .limits(TEST_LIMITS)
        .fastMode(FastMode.defaults())
        .queueRetryAfter(Duration.ofMillis(500));
  }

  static RunningServer start(InferdConfig config, ModelRegistry models) throws Exception {
    return new RunningServer(config, models);
  }

  static RunningServer start(TextGenerator generator, int slots, int queue) throws Exception {
    return start(generator, slots, queue, ApiKeyStore.disabled());
  }

  static RunningServer start(TextGenerator generator, int slots, int queue, ApiKeyStore keys)
      throws Exception {
    return start(
        testConfig().parallel(slots).queue(queue).keys(keys).build(), withEmbedder(generator));
  }

  /** The generator as "tiny" and MiniLM as "all-minilm-l6-v2". */
  static ModelRegistry withEmbedder(TextGenerator generator) {
    return ModelRegistry.builder()
        .generator("tiny", generator)
        .embedder("all-minilm-l6-v2", TestModels.embedder())
        .build();
  }

  /** One slot, and streams that nobody reads end after {@code streamIdleTimeout}. */
  static RunningServer withStreamIdleTimeout(TextGenerator generator, Duration streamIdleTimeout)
      throws Exception {
    return start(
        testConfig()
            .parallel(1)
            .queue(1)
            .limits(new CoreLimits(16, 4096, 16, 0.7f))
            .streamIdleTimeout(streamIdleTimeout)
            .build(),
        ModelRegistry.builder().generator("tiny", generator).build());
  }

  /** Offers gzip to clients that accept it. */
  static RunningServer withCompression(TextGenerator generator) throws Exception {
    return start(
        testConfig().parallel(1).queue(1).compressResponses(true).build(), withEmbedder(generator));
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
