package io.inferd.client;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.InferenceServiceGrpc.InferenceServiceBlockingStub;
import io.inferd.api.v1.InferenceServiceGrpc.InferenceServiceStub;
import io.inferd.api.v1.StreamChunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A client of one inferd server (or any {@code ai.inference.v1.InferenceService}).
 *
 * <p>Every call carries a deadline: the one passed to the call; else, for completions, the one
 * {@link Builder#deadlinePolicy(Deadlines)} computes from the request if set; else the client's
 * default (60 s unless {@link Builder#defaultDeadline(Duration)} says otherwise). For streams the
 * deadline bounds the whole stream, not each message, and it spans all retries. Failures surface as
 * {@link StatusRuntimeException} (blocking calls), a failed future, or {@code onError} on the given
 * observer.
 *
 * <p>By default, calls failing with UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED before any
 * response are retried as {@link RetryPolicy} explains, and each call is logged once by {@link
 * LoggingInterceptor}.
 *
 * <p>Several servers: give a comma-separated list ({@code "10.0.0.1:50051,10.0.0.2:50051"}, which
 * becomes a {@code static:///} target, see {@link StaticNameResolverProvider}) or a name that
 * resolves to several addresses ({@code dns:///inferd-headless.default.svc.cluster.local:50051}),
 * and {@link Builder#loadBalancing(LoadBalancing)}; list targets get {@link
 * LoadBalancing#roundRobin()} (health-checked) unless told otherwise.
 *
 * <p>Thread-safe; create one per server (or group of servers) and share it. {@link #close()} shuts
 * down the channel if this client created it.
 *
 * <pre>{@code
 * try (var client = InferenceClient.builder("127.0.0.1:50051").apiKey(key).build()) {
 *   CompleteResponse r = client.complete(Prompts.complete("Be brief.", "What is gRPC?"));
 *   System.out.println(r.getChoices(0).getMessage().getContent());
 * }
 * }</pre>
 */
public final class InferenceClient implements AutoCloseable {
  /** The deadline of a call made without one, unless the builder sets another. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final Duration defaultDeadline;
  private final Deadlines deadlinePolicy;
  private final InferenceServiceBlockingStub blockingStub;
  private final InferenceServiceStub asyncStub;

  private InferenceClient(Builder builder) {
    this.ownsChannel = builder.channel == null;
    this.channel = ownsChannel ? openChannel(builder) : builder.channel;
    this.defaultDeadline = builder.defaultDeadline;
    this.deadlinePolicy = builder.deadlinePolicy;
    Channel calls = Channels.intercept(channel, builder.apiKey, builder.logging);
    this.blockingStub = InferenceServiceGrpc.newBlockingStub(calls);
    this.asyncStub = InferenceServiceGrpc.newStub(calls);
  }

  /**
   * Starts a client for {@code target}: {@code host:port}, a comma-separated list of them ({@code
   * h1:50051,h2:50051}), or any gRPC target string such as {@code dns:///host:port} or {@code
   * static:///h1:50051,h2:50051}. Plaintext unless {@link Builder#tls()} is called.
   */
  public static Builder builder(String target) {
    return new Builder(target);
  }

  /** The deadline used by calls made without one. */
  public Duration defaultDeadline() {
    return defaultDeadline;
  }

  /** Runs one completion and waits for it. */
  public CompleteResponse complete(CompleteRequest request) {
    return complete(request, deadlineFor(request));
  }

  /** Runs one completion and waits for it at most {@code deadline}. */
  public CompleteResponse complete(CompleteRequest request, Duration deadline) {
    requireNonNull(request, "request");
    return withDeadline(blockingStub, deadline).complete(request);
  }

  /**
   * Streams a completion; the iterator blocks for each chunk and throws {@link
   * StatusRuntimeException} on failure. Read it to the end: a stream left half-read holds its call
   * open until the deadline.
   */
  public Iterator<StreamChunk> streamComplete(CompleteRequest request) {
    return streamComplete(request, deadlineFor(request));
  }

  /** As {@link #streamComplete(CompleteRequest)}, with a deadline for the whole stream. */
  public Iterator<StreamChunk> streamComplete(CompleteRequest request, Duration deadline) {
    requireNonNull(request, "request");
    return withDeadline(blockingStub, deadline).streamComplete(request);
  }

  /**
   * Embeds {@code texts} with {@code model} (empty: the server's default) over one client stream
   * and waits for the batch response; embeddings come back indexed in the order of {@code texts}.
   */
  public BatchEmbedResponse batchEmbed(String model, List<String> texts) {
    return batchEmbed(model, texts, defaultDeadline);
  }

  /** As {@link #batchEmbed(String, List)}, waiting at most {@code deadline}. */
  public BatchEmbedResponse batchEmbed(String model, List<String> texts, Duration deadline) {
    requireNonNull(model, "model");
    requireNonNull(texts, "texts");
    var response = new UnaryFuture<EmbedRequest, BatchEmbedResponse>();
    StreamObserver<EmbedRequest> requests = withDeadline(asyncStub, deadline).batchEmbed(response);
    try {
      for (String text : texts) {
        requests.onNext(EmbedRequest.newBuilder().setModel(model).setText(text).build());
      }
    } catch (RuntimeException e) {
      requests.onError(e); // cancels the call instead of leaving it open until the deadline
      throw e;
    }
    requests.onCompleted();
    return Futures.await(response);
  }

  /**
   * Starts a completion; the future fails with {@link StatusRuntimeException}. Cancelling the
   * future cancels the call, so the server stops generating.
   */
  public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
    return completeAsync(request, deadlineFor(request));
  }

  /** As {@link #completeAsync(CompleteRequest)}, with a deadline. */
  public CompletableFuture<CompleteResponse> completeAsync(
      CompleteRequest request, Duration deadline) {
    requireNonNull(request, "request");
    var response = new UnaryFuture<CompleteRequest, CompleteResponse>();
    withDeadline(asyncStub, deadline).complete(request, response);
    return response;
  }

  /**
   * Streams a completion into {@code chunks}, called on a gRPC thread. To stop early, implement
   * {@link io.grpc.stub.ClientResponseObserver} and cancel the call it is handed.
   */
  public void streamComplete(CompleteRequest request, StreamObserver<StreamChunk> chunks) {
    streamComplete(request, chunks, deadlineFor(request));
  }

  /**
   * As {@link #streamComplete(CompleteRequest, StreamObserver)}, with a deadline for the stream.
   */
  public void streamComplete(
      CompleteRequest request, StreamObserver<StreamChunk> chunks, Duration deadline) {
    requireNonNull(request, "request");
    requireNonNull(chunks, "chunks");
    withDeadline(asyncStub, deadline).streamComplete(request, chunks);
  }

  /**
   * Opens a conversation: send turns on the returned observer (from one thread at a time), end it
   * with {@code onCompleted()}; the server's turns arrive on {@code replies}. The deadline bounds
   * the whole conversation.
   */
  public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> replies) {
    return chat(replies, defaultDeadline);
  }

  /** As {@link #chat(StreamObserver)}, with a deadline for the whole conversation. */
  public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> replies, Duration deadline) {
    requireNonNull(replies, "replies");
    return withDeadline(asyncStub, deadline).chat(replies);
  }

  /**
   * Shuts the channel down if this client created it, waiting up to 5 s for calls in flight; a
   * channel passed to {@link Builder#channel(ManagedChannel)} belongs to the caller and stays open.
   */
  @Override
  public void close() {
    if (!ownsChannel) {
      return;
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(CLOSE_GRACE.toNanos(), NANOSECONDS)) {
        channel.shutdownNow();
        channel.awaitTermination(1, SECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private Duration deadlineFor(CompleteRequest request) {
    requireNonNull(request, "request");
    return deadlinePolicy != null ? deadlinePolicy.forCompletion(request) : defaultDeadline;
  }

  private static ManagedChannel openChannel(Builder builder) {
    ManagedChannelBuilder<?> channelBuilder =
        builder.channelBuilder != null
            ? builder.channelBuilder
            : Channels.forTarget(builder.target, builder.tls, builder.trustedCertsPem);
    if (builder.retry != null) {
      builder.retry.applyTo(channelBuilder);
    }
    LoadBalancing lb = builder.effectiveLoadBalancing();
    if (lb != null) {
      // One service config holds both: the retry policy's methodConfig and the balancing policy.
      channelBuilder.defaultServiceConfig(
          lb.addTo(builder.retry != null ? builder.retry.serviceConfig() : Map.of()));
    }
    return Channels.build(channelBuilder, builder.target);
  }

  private static <S extends AbstractStub<S>> S withDeadline(S stub, Duration deadline) {
    // Stubs fix the deadline when made, so each call gets a fresh one.
    return stub.withDeadlineAfter(Builder.positive(deadline, "deadline").toNanos(), NANOSECONDS);
  }

  /**
   * Settings of an {@link InferenceClient}. Defaults: plaintext, no API key, 60 s deadline, {@link
   * RetryPolicy#defaults()}, {@link LoggingInterceptor#create()}.
   */
  public static final class Builder {
    private final String target;
    private boolean tls;
    private Path trustedCertsPem;
    private Duration defaultDeadline = DEFAULT_DEADLINE;
    private Deadlines deadlinePolicy;
    private String apiKey;
    private RetryPolicy retry = RetryPolicy.defaults();
    private LoggingInterceptor logging = LoggingInterceptor.create();
    private ManagedChannel channel;
    private ManagedChannelBuilder<?> channelBuilder;
    private LoadBalancing loadBalancing;
    private boolean loadBalancingSet;

    private Builder(String target) {
      requireNonNull(target, "target");
      if (target.isBlank()) {
        throw new IllegalArgumentException("target: blank (expected: host:port or a gRPC target)");
      }
      this.target = Targets.normalize(target);
      if (Targets.isStatic(this.target)) {
        StaticNameResolverProvider.register();
      }
    }

    /** Talks plaintext HTTP/2 (the default). */
    public Builder plaintext() {
      this.tls = false;
      this.trustedCertsPem = null;
      return this;
    }

    /** Talks TLS, trusting the JDK's certificate authorities. */
    public Builder tls() {
      this.tls = true;
      this.trustedCertsPem = null;
      return this;
    }

    /** Talks TLS, trusting only the certificates in {@code trustedCertsPem} (e.g. a private CA). */
    public Builder tls(Path trustedCertsPem) {
      this.tls = true;
      this.trustedCertsPem = requireNonNull(trustedCertsPem, "trustedCertsPem");
      return this;
    }

    /** The deadline of calls made without one; must be positive. */
    public Builder defaultDeadline(Duration deadline) {
      this.defaultDeadline = positive(deadline, "defaultDeadline");
      return this;
    }

    /**
     * Gives Complete and StreamComplete calls made without a deadline the one {@code policy}
     * computes from the request (prompt size, max_tokens) instead of the default deadline.
     */
    public Builder deadlinePolicy(Deadlines policy) {
      this.deadlinePolicy = requireNonNull(policy, "policy");
      return this;
    }

    /** Retries failed calls as {@code policy} says (default: {@link RetryPolicy#defaults()}). */
    public Builder retry(RetryPolicy policy) {
      this.retry = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Turns retries off: each call makes one attempt. grpc-java still transparently retries a
     * request the server never saw (e.g. one refused while the server shuts down).
     */
    public Builder noRetry() {
      this.retry = null;
      return this;
    }

    /**
     * Spreads calls over the target's servers as {@code loadBalancing} says; null leaves the
     * channel's default, pick_first. Without this call, a list target ({@code h1:p,h2:p} or {@code
     * static:///…}) gets {@link LoadBalancing#roundRobin()} and any other target pick_first.
     */
    public Builder loadBalancing(LoadBalancing loadBalancing) {
      this.loadBalancing = loadBalancing;
      this.loadBalancingSet = true;
      return this;
    }

    LoadBalancing effectiveLoadBalancing() {
      if (loadBalancingSet) {
        return loadBalancing;
      }
      return Targets.isStatic(target) ? LoadBalancing.roundRobin() : null;
    }

    /** Logs each call with {@code logging} instead of {@link LoggingInterceptor#create()}. */
    public Builder logging(LoggingInterceptor logging) {
      this.logging = requireNonNull(logging, "logging");
      return this;
    }

    /** Logs nothing, e.g. where the caller reports failures itself. */
    public Builder noLogging() {
      this.logging = null;
      return this;
    }

    /** Sends {@code apiKey} as {@code x-api-key} metadata on every call. */
    public Builder apiKey(String apiKey) {
      requireNonNull(apiKey, "apiKey");
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey: blank (expected: a key)");
      }
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Uses {@code channel} instead of opening one to the target; target, TLS and retry settings are
     * then ignored (set retries on the channel with {@link RetryPolicy#applyTo}), and {@link
     * InferenceClient#close()} leaves the channel open.
     */
    public Builder channel(ManagedChannel channel) {
      this.channel = requireNonNull(channel, "channel");
      this.channelBuilder = null;
      return this;
    }

    /**
     * Builds the channel from {@code channelBuilder} (e.g. an in-process one, or Netty with
     * settings of your own) instead of from the target and TLS settings; the retry policy (and a
     * load-balancing policy set here) is added to it, and {@link InferenceClient#close()} shuts the
     * channel down.
     */
    public Builder channelBuilder(ManagedChannelBuilder<?> channelBuilder) {
      this.channelBuilder = requireNonNull(channelBuilder, "channelBuilder");
      this.channel = null;
      return this;
    }

    /**
     * Builds the client. The channel connects lazily, on the first call.
     *
     * @throws IllegalArgumentException if the target cannot be parsed or the certificates read
     */
    public InferenceClient build() {
      return new InferenceClient(this);
    }

    static Duration positive(Duration duration, String name) {
      requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
      }
      return duration;
    }
  }
}
