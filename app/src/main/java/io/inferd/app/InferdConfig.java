package io.inferd.app;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.FlashAttention;
import io.inferd.engine.ModelSpec;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.FastMode;
import io.inferd.server.rest.ListenerSettings;
import io.inferd.server.telemetry.TracingSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Everything an inferd process is told, as one value: {@code inferd serve} parses its options into
 * it, the benchmarks and the end-to-end tests build it with a port or two changed, and {@link
 * Inferd} wires the application from it. A port of 0 picks a free one; -1 turns REST or metrics
 * off.
 *
 * @param generators text-generation models; a local GGUF file or a remote location ({@link
 *     io.inferd.engine.EngineProvider})
 * @param embedders remote embedding models, beside MiniLM when {@code miniLm}
 * @param defaultModel answers requests that name no model; null: the first generator
 * @param threads CPU threads per local model; 0: one per core
 * @param parallel generations at once per model (scheduler slots = parallel × generators)
 * @param queue requests that may wait for a slot; beyond that RESOURCE_EXHAUSTED / 429
 * @param queueRetryAfter the retry hint a full queue sends
 * @param contextTokens tokens per generation of a local model; 0: the model's own
 * @param rateLimit requests per second per caller; 0: unlimited
 * @param tracing where spans go (OTLP); off still puts trace ids in the access log
 */
public record InferdConfig(
    String host,
    int grpcPort,
    int httpPort,
    int metricsPort,
    List<ModelSpec> generators,
    List<ModelSpec> embedders,
    boolean miniLm,
    String defaultModel,
    int threads,
    int parallel,
    int queue,
    Duration queueRetryAfter,
    int contextTokens,
    String upstreamApiKey,
    CoreLimits limits,
    FastMode fastMode,
    ApiKeyStore keys,
    double rateLimit,
    double rateBurst,
    Duration streamIdleTimeout,
    boolean compressResponses,
    GrpcTransport transport,
    ListenerSettings httpListener,
    boolean metricsPlaintext,
    int gpuLayers,
    FlashAttention flashAttention,
    Duration shutdownGrace,
    Clock clock,
    TracingSettings tracing) {
  public InferdConfig {
    requireNonNull(host, "host");
    generators = List.copyOf(generators);
    embedders = List.copyOf(embedders);
    requireNonNull(queueRetryAfter, "queueRetryAfter");
    requireNonNull(limits, "limits");
    requireNonNull(fastMode, "fastMode");
    requireNonNull(keys, "keys");
    requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    requireNonNull(transport, "transport");
    requireNonNull(httpListener, "httpListener");
    requireNonNull(shutdownGrace, "shutdownGrace");
    requireNonNull(clock, "clock");
    requireNonNull(tracing, "tracing");
    if (parallel < 1 || queue < 0) {
      throw new IllegalArgumentException(
          "--parallel " + parallel + ", --queue " + queue + " (expected: >= 1 and >= 0)");
    }
  }

  /** {@code inferd serve}'s defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change a few parts. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.grpcPort = grpcPort;
    b.httpPort = httpPort;
    b.metricsPort = metricsPort;
    b.generators = generators;
    b.embedders = embedders;
    b.miniLm = miniLm;
    b.defaultModel = defaultModel;
    b.threads = threads;
    b.parallel = parallel;
    b.queue = queue;
    b.queueRetryAfter = queueRetryAfter;
    b.contextTokens = contextTokens;
    b.upstreamApiKey = upstreamApiKey;
    b.limits = limits;
    b.fastMode = fastMode;
    b.keys = keys;
    b.rateLimit = rateLimit;
    b.rateBurst = rateBurst;
    b.streamIdleTimeout = streamIdleTimeout;
    b.compressResponses = compressResponses;
    b.transport = transport;
    b.httpListener = httpListener;
    b.metricsPlaintext = metricsPlaintext;
    b.gpuLayers = gpuLayers;
    b.flashAttention = flashAttention;
    b.shutdownGrace = shutdownGrace;
    b.clock = clock;
    b.tracing = tracing;
    return b;
  }

  /** Starts from serve's defaults; see the options of {@code inferd serve --help}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int grpcPort = 50051;
    private int httpPort = 8080;
    private int metricsPort = 9464;
    private List<ModelSpec> generators = List.of();
    private List<ModelSpec> embedders = List.of();
    private boolean miniLm = true;
    private String defaultModel;
    private int threads;
    private int parallel = 2;
    private int queue = 16;
    private Duration queueRetryAfter = Duration.ofSeconds(1);
    private int contextTokens;
    private String upstreamApiKey;
    private CoreLimits limits = new CoreLimits(256, 4096, 2048, 0.7f, 32_768);
    private FastMode fastMode = FastMode.defaults();
    private ApiKeyStore keys = ApiKeyStore.disabled();
    private double rateLimit;
    private double rateBurst = 20;
    private Duration streamIdleTimeout = Duration.ofSeconds(60);
    private boolean compressResponses;
    private GrpcTransport transport = GrpcTransport.defaults();
    private ListenerSettings httpListener = ListenerSettings.defaults();
    private boolean metricsPlaintext;
    private int gpuLayers = -1;
    private FlashAttention flashAttention = FlashAttention.AUTO;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private TracingSettings tracing = TracingSettings.off();

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** gRPC, REST and metrics ports. */
    public Builder ports(int grpc, int http, int metrics) {
      this.grpcPort = grpc;
      this.httpPort = http;
      this.metricsPort = metrics;
      return this;
    }

    public Builder generators(List<ModelSpec> generators) {
      this.generators = generators;
      return this;
    }

    public Builder embedders(List<ModelSpec> embedders) {
      this.embedders = embedders;
      return this;
    }

    public Builder miniLm(boolean miniLm) {
      this.miniLm = miniLm;
      return this;
    }

    public Builder defaultModel(String defaultModel) {
      this.defaultModel = defaultModel;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder parallel(int parallel) {
      this.parallel = parallel;
      return this;
    }

    public Builder queue(int queue) {
      this.queue = queue;
      return this;
    }

    public Builder queueRetryAfter(Duration queueRetryAfter) {
      this.queueRetryAfter = queueRetryAfter;
      return this;
    }

    public Builder contextTokens(int contextTokens) {
      this.contextTokens = contextTokens;
      return this;
    }

    public Builder upstreamApiKey(String upstreamApiKey) {
      this.upstreamApiKey = upstreamApiKey;
      return this;
    }

    public Builder limits(CoreLimits limits) {
      this.limits = limits;
      return this;
    }

    public Builder fastMode(FastMode fastMode) {
      this.fastMode = fastMode;
      return this;
    }

    public Builder keys(ApiKeyStore keys) {
      this.keys = keys;
      return this;
    }

    public Builder rateLimit(double perSecond, double burst) {
      this.rateLimit = perSecond;
      this.rateBurst = burst;
      return this;
    }

    public Builder streamIdleTimeout(Duration streamIdleTimeout) {
      this.streamIdleTimeout = streamIdleTimeout;
      return this;
    }

    public Builder compressResponses(boolean compressResponses) {
      this.compressResponses = compressResponses;
      return this;
    }

    public Builder transport(GrpcTransport transport) {
      this.transport = transport;
      return this;
    }

    /**
     * Idle timeout and connection / request caps of the REST and metrics ports (TLS comes from the
     * transport).
     */
    public Builder httpListener(ListenerSettings httpListener) {
      this.httpListener = httpListener;
      return this;
    }

    /** With TLS on, serve /metrics in plaintext on 127.0.0.1 only. */
    public Builder metricsPlaintext(boolean metricsPlaintext) {
      this.metricsPlaintext = metricsPlaintext;
      return this;
    }

    /** Model layers offloaded to a GPU; -1: all of them when llama.cpp was built with one. */
    public Builder gpuLayers(int gpuLayers) {
      this.gpuLayers = gpuLayers;
      return this;
    }

    /** Whether llama.cpp uses its flash-attention kernel; AUTO: llama.cpp decides. */
    public Builder flashAttention(FlashAttention flashAttention) {
      this.flashAttention = flashAttention;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Span export: OTLP, an exporter of the caller's, or off. */
    public Builder tracing(TracingSettings tracing) {
      this.tracing = tracing;
      return this;
    }

    public InferdConfig build() {
      return new InferdConfig(
          host,
          grpcPort,
          httpPort,
          metricsPort,
          generators,
          embedders,
          miniLm,
          defaultModel,
          threads,
          parallel,
          queue,
          queueRetryAfter,
          contextTokens,
          upstreamApiKey,
          limits,
          fastMode,
          keys,
          rateLimit,
          rateBurst,
          streamIdleTimeout,
          compressResponses,
          transport,
          httpListener,
          metricsPlaintext,
          gpuLayers,
          flashAttention,
          shutdownGrace,
          clock,
          tracing);
    }
  }
}
