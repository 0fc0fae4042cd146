package io.inferd.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.grpc.InferenceGrpcService;
import io.inferd.server.interceptor.AuthInterceptor;
import io.inferd.server.interceptor.CallTracker;
import io.inferd.server.interceptor.CompressionInterceptor;
import io.inferd.server.interceptor.RateLimitInterceptor;
import io.inferd.server.interceptor.RequestParsing;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.Telemetry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private final CallTracker calls;

  private volatile boolean started;

  /** No API keys, no rate limit, its own telemetry: for tests and local use. */
  public InferdServer(ServerBuilder<?> builder, InferenceCore core) {
    this(builder, core, Settings.defaults(core));
  }

  public InferdServer(ServerBuilder<?> builder, InferenceCore core, Settings settings) {
    requireNonNull(core, "core");
    var service = new InferenceGrpcService(core, settings.clock(), settings.streamIdleTimeout());
    this.calls = new CallTracker(settings.telemetry());
    // Reads outermost first: every call is recorded, rejected ones included; only the inference
    // service needs a key, so health checks and reflection stay open.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(calls);
    interceptors.add(new AuthInterceptor(settings.keys()));
    if (settings.rateLimiter().enabled()) {
      interceptors.add(new RateLimitInterceptor(settings.rateLimiter()));
    }
    if (settings.compressResponses()) {
      interceptors.add(new CompressionInterceptor());
    }
    // Every token of a stream passes each call wrapper: each overrides sendMessage with a call site
    // of its own, which sees one class and is inlined, where ForwardingServerCall's shared one sees
    // them all and dispatches through a stub per layer.
    var inference =
        ServerInterceptors.interceptForward(RequestParsing.of(service.bindService()), interceptors);
    this.server =
        builder
            .addService(inference)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            // v1alpha too: older grpcurl and buf curl builds only speak it
            .addService(ProtoReflectionService.newInstance())
            .build();
  }

  /** Starts listening; health says SERVING from here on, since the models are already loaded. */
  public InferdServer start() throws IOException {
    server.start();
    started = true;
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  /**
   * Health follows the REST port too: NOT_SERVING while its listener is down (being restarted), so
   * that a load balancer stops sending work to a process with a dead port.
   */
  public void restListenerUp(boolean up) {
    ServingStatus status = up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", status); // ignored once stop() entered the terminal state
    health.setStatus(InferenceServiceGrpc.SERVICE_NAME, status);
  }

  /** Whether {@link #start()} succeeded (the server was listening). */
  public boolean isStarted() {
    return started;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Graceful stop: health goes NOT_SERVING, new calls are refused, running calls get {@code grace}
   * to finish; those still open are then ended with UNAVAILABLE and get {@code endTimeout} to leave
   * before the transport closes.
   */
  public void stop(Duration grace, Duration endTimeout) {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
      int ended =
          calls.endAll(
              Status.UNAVAILABLE.withDescription(
                  "server shutting down: the call did not finish within the "
                      + grace.toMillis()
                      + " ms shutdown grace; retry elsewhere"));
      if (ended > 0) {
        log.warn(
            "{} calls still running after the {} ms grace period; ended them with UNAVAILABLE",
            ended,
            grace.toMillis());
      }
      if (!server.awaitTermination(endTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        server.awaitTermination(endTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      calls.endAll(Status.UNAVAILABLE.withDescription("server shutting down"));
      server.shutdownNow();
    }
    // The core is the caller's: REST serves it too, and a component closes only what it created.
  }

  /** {@link #stop(Duration, Duration)} with one second for the calls it ends to leave. */
  public void stop(Duration grace) {
    stop(grace, Duration.ofSeconds(1));
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Who may call, how often, where calls are reported, and how long a stream may sit unread. */
  public record Settings(
      ApiKeyStore keys,
      RateLimiter rateLimiter,
      Telemetry telemetry,
      Duration streamIdleTimeout,
      boolean compressResponses,
      Clock clock) {
    public Settings {
      requireNonNull(keys, "keys");
      requireNonNull(rateLimiter, "rateLimiter");
      requireNonNull(telemetry, "telemetry");
      requireNonNull(streamIdleTimeout, "streamIdleTimeout");
      requireNonNull(clock, "clock");
    }

    /** Responses not compressed. */
    public Settings(
        ApiKeyStore keys,
        RateLimiter rateLimiter,
        Telemetry telemetry,
        Duration streamIdleTimeout,
        Clock clock) {
      this(keys, rateLimiter, telemetry, streamIdleTimeout, false, clock);
    }

    public static Settings defaults(InferenceCore core) {
      return new Settings(
          ApiKeyStore.disabled(),
          RateLimiter.off(),
          new Telemetry(new AccessLog(), new InferdMetrics(core.scheduler())),
          Duration.ofSeconds(60),
          false,
          Clock.systemUTC());
    }
  }
}
