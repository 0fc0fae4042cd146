package io.inferd.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.bench.GrpcClients;
import io.inferd.bench.Payloads;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * gRPC calls through grpc-java's generated stubs on ONE channel (one HTTP/2 connection, every call
 * a stream on it). By default async stubs on a channel with {@code directExecutor()}, grpc-java's
 * advice for callbacks that never block: the worker waits on a future, the messages are handled on
 * Netty's thread. Blocking stubs ({@code -Dinferd.bench.grpcClient=blocking}, as {@code
 * InferenceClient}'s streaming iterator) cost the client 5-10 times more CPU per streamed token,
 * which on shared cores is taken from the server. Deadlines are 60 s, far above the server's 5 s
 * fast-mode threshold, so every call gets the full answer.
 */
final class GrpcDriver implements CallDriver {
  private final ManagedChannel channel;
  private final InferenceServiceGrpc.InferenceServiceBlockingStub blocking;
  private final InferenceServiceGrpc.InferenceServiceStub async;
  private final Work work;
  private final CompleteRequest request;
  private final List<EmbedRequest> embedRequests;

  /**
   * How calls are made: blocking stubs, or async stubs (callbacks on grpc's executor or on Netty's
   * thread).
   */
  enum Style {
    BLOCKING,
    ASYNC,
    DIRECT
  }

  static final Style STYLE =
      Style.valueOf(
          System.getProperty("inferd.bench.grpcClient", "direct")
              .toUpperCase(java.util.Locale.ROOT));

  private final Style style = STYLE;

  GrpcDriver(int port, Work work) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(16 << 20);
    if (STYLE == Style.DIRECT) {
      builder.directExecutor();
    }
    this.channel = builder.build();
    this.blocking = InferenceServiceGrpc.newBlockingStub(channel);
    this.async = InferenceServiceGrpc.newStub(channel);
    this.work = work;
    this.request = work.completeRequest();
    this.embedRequests = Payloads.embedRequests();
  }

  @Override
  public void call(Metrics.CallTimer timer) throws Exception {
    switch (work.scenario()) {
      case UNARY -> unary(timer);
      case STREAM -> stream(timer);
      case EMBED -> embed();
    }
  }

  private void unary(Metrics.CallTimer timer) throws Exception {
    CompleteResponse response;
    if (style == Style.BLOCKING) {
      response = blocking.withDeadlineAfter(60, TimeUnit.SECONDS).complete(request);
    } else {
      var answer = new CompletableFuture<CompleteResponse>();
      async.withDeadlineAfter(60, TimeUnit.SECONDS).complete(request, observer(answer));
      response = Futures.await(answer);
    }
    String text = response.getChoices(0).getMessage().getContent();
    int tokens = response.getUsage().getCompletionTokens();
    if (text.isEmpty() || (work.exactTokens() && tokens != work.maxTokens())) {
      throw new IncompleteAnswerException("answer of " + tokens + " tokens");
    }
  }

  private void stream(Metrics.CallTimer timer) throws Exception {
    boolean finished = false;
    if (style == Style.BLOCKING) {
      Iterator<StreamChunk> chunks =
          blocking.withDeadlineAfter(60, TimeUnit.SECONDS).streamComplete(request);
      while (chunks.hasNext()) {
        finished |= onChunk(chunks.next(), timer);
      }
    } else {
      var done = new CompletableFuture<Boolean>();
      var finish = new AtomicBoolean(); // set by the call's callbacks, read when it completes
      async
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .streamComplete(
              request,
              GrpcClients.completing(
                  chunk -> {
                    if (onChunk(chunk, timer)) {
                      finish.set(true);
                    }
                  },
                  finish::get,
                  done));
      finished = Futures.await(done);
    }
    if (!finished || (work.exactTokens() && timer.tokens() != work.maxTokens())) {
      throw new IncompleteAnswerException("stream of " + timer.tokens() + " tokens");
    }
  }

  /** Reports the chunk's token, if any; true if it is the finishing chunk. */
  private static boolean onChunk(StreamChunk chunk, Metrics.CallTimer timer) {
    boolean finished = false;
    for (StreamChoice choice : chunk.getChoicesList()) {
      if (choice.getDelta().hasContent() && !choice.getDelta().getContent().isEmpty()) {
        timer.token();
      }
      finished |= choice.hasFinishReason();
    }
    return finished;
  }

  /** A unary call's observer: {@code answer} gets the response, or fails without one. */
  private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
    return GrpcClients.completing(
        answer::complete,
        () -> {
          throw new IncompleteAnswerException("no response"); // unless onNext answered first
        },
        answer);
  }

  private void embed() throws Exception {
    var answer = new CompletableFuture<BatchEmbedResponse>();
    StreamObserver<EmbedRequest> requests =
        async.withDeadlineAfter(60, TimeUnit.SECONDS).batchEmbed(observer(answer));
    for (EmbedRequest request : embedRequests) {
      requests.onNext(request);
    }
    requests.onCompleted();
    BatchEmbedResponse response = Futures.await(answer);
    if (response.getEmbeddingsCount() != Payloads.EMBED_TEXTS
        || response.getEmbeddings(Payloads.EMBED_TEXTS - 1).getVectorCount()
            != Payloads.DIMENSIONS) {
      throw new IncompleteAnswerException(response.getEmbeddingsCount() + " embeddings");
    }
  }

  @Override
  public void close() {
    GrpcClients.close(channel);
  }
}
