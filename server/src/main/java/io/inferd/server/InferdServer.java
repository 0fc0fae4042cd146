package io.inferd.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.grpc.InferenceGrpcService;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server: inference, health and reflection services on a builder the caller chooses (Netty
 * in production, in-process in tests), over an already loaded core.
 */
public final class InferdServer {
  private static final Logger log = LoggerFactory.getLogger(InferdServer.class);

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final InferenceCore core;

  public InferdServer(ServerBuilder<?> builder, InferenceCore core) {
    this(builder, core, Clock.systemUTC());
  }

  public InferdServer(ServerBuilder<?> builder, InferenceCore core, Clock clock) {
    this.core = requireNonNull(core, "core");
    this.server =
        builder
            .addService(new InferenceGrpcService(core, clock))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            // v1alpha too: older grpcurl and buf curl builds only speak it
            .addService(ProtoReflectionService.newInstance())
            .build();
  }

  /** Starts listening; health says SERVING from here on, since the models are already loaded. */
  public InferdServer start() throws IOException {
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Graceful stop: health goes NOT_SERVING, new calls are refused, running calls get {@code grace} to
   * finish and are then cancelled.
   */
  public void stop(Duration grace) {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("calls still running after the {} s grace period; cancelling them", grace.toSeconds());
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    core.close();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
