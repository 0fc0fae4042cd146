package io.inferd.client;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
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
import java.util.concurrent.CompletableFuture;

/**
 * A client of one inferd server (or any {@code ai.inference.v1.InferenceService}).
 *
 * <p>Every call carries a deadline: the one passed to the call, or else the client's default (60 s
 * unless {@link Builder#defaultDeadline(Duration)} says otherwise). For streams the deadline bounds
 * the whole stream, not each message. Failures surface as {@link StatusRuntimeException} (blocking
 * calls), a failed future, or {@code onError} on the given observer.
 *
 * <p>Thread-safe; create one per server and share it. {@link #close()} shuts down the channel if this
 * client created it.
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
  private final InferenceServiceBlockingStub blockingStub;
  private final InferenceServiceStub asyncStub;

  private InferenceClient(Builder builder) {
    this.ownsChannel = builder.channel == null;
    this.channel =
        ownsChannel
            ? Channels.create(builder.target, builder.tls, builder.trustedCertsPem)
            : builder.channel;
    this.defaultDeadline = builder.defaultDeadline;
    Channel calls = Channels.intercept(channel, builder.apiKey);
    this.blockingStub = InferenceServiceGrpc.newBlockingStub(calls);
    this.asyncStub = InferenceServiceGrpc.newStub(calls);
  }

  /**
   * Starts a client for {@code target}: {@code host:port} or any gRPC target string such as {@code
   * dns:///host:port}. Plaintext unless {@link Builder#tls()} is called.
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
    return complete(request, defaultDeadline);
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
    return streamComplete(request, defaultDeadline);
  }

  /** As {@link #streamComplete(CompleteRequest)}, with a deadline for the whole stream. */
  public Iterator<StreamChunk> streamComplete(CompleteRequest request, Duration deadline) {
    requireNonNull(request, "request");
    return withDeadline(blockingStub, deadline).streamComplete(request);
  }

  /**
   * Embeds {@code texts} with {@code model} (empty: the server's default) over one client stream and
   * waits for the batch response; embeddings come back indexed in the order of {@code texts}.
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
   * Starts a completion; the future fails with {@link StatusRuntimeException}. Cancelling the future
   * cancels the call, so the server stops generating.
   */
  public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
    return completeAsync(request, defaultDeadline);
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
    streamComplete(request, chunks, defaultDeadline);
  }

  /** As {@link #streamComplete(CompleteRequest, StreamObserver)}, with a deadline for the stream. */
  public void streamComplete(
      CompleteRequest request, StreamObserver<StreamChunk> chunks, Duration deadline) {
    requireNonNull(request, "request");
    requireNonNull(chunks, "chunks");
    withDeadline(asyncStub, deadline).streamComplete(request, chunks);
  }

  /**
   * Opens a conversation: send turns on the returned observer (from one thread at a time), end it
   * with {@code onCompleted()}; the server's turns arrive on {@code replies}. The deadline bounds the
   * whole conversation.
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

  private static <S extends AbstractStub<S>> S withDeadline(S stub, Duration deadline) {
    // Stubs fix the deadline when made, so each call gets a fresh one.
    return stub.withDeadlineAfter(Builder.positive(deadline, "deadline").toNanos(), NANOSECONDS);
  }

  /** Settings of an {@link InferenceClient}; plaintext, no API key, 60 s deadline by default. */
  public static final class Builder {
    private final String target;
    private boolean tls;
    private Path trustedCertsPem;
    private Duration defaultDeadline = DEFAULT_DEADLINE;
    private String apiKey;
    private ManagedChannel channel;

    private Builder(String target) {
      requireNonNull(target, "target");
      if (target.isBlank()) {
        throw new IllegalArgumentException("target: blank (expected: host:port or a gRPC target)");
      }
      this.target = target;
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
     * Uses {@code channel} (e.g. an in-process one in tests) instead of opening one to the target;
     * target and TLS settings are then ignored, and {@link InferenceClient#close()} leaves the
     * channel open.
     */
    public Builder channel(ManagedChannel channel) {
      this.channel = requireNonNull(channel, "channel");
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
