package io.inferd.server.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.MessageLite;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.DetokenizeRequest;
import io.inferd.api.v1.DetokenizeResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.TokenizeRequest;
import io.inferd.api.v1.TokenizeResponse;
import io.inferd.server.core.ChoiceSink;
import io.inferd.server.core.Completion;
import io.inferd.server.core.EmbeddingBatch;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.PlannedCompletion;
import io.inferd.server.core.StreamOutlet;
import io.inferd.server.core.Tokenization;
import io.inferd.server.interceptor.CallTracker;
import io.inferd.server.telemetry.CallStats;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * ai.inference.v1.InferenceService over the shared core. Engines run on the core's threads; each
 * call has one writer, and a client cancel, disconnect or expired deadline stops its engine work.
 */
public final class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {
  private final InferenceCore core;
  private final Clock clock;
  private final Duration streamIdleTimeout;
  private final Tokenization tokenization;

  public InferenceGrpcService(InferenceCore core, Clock clock, Duration streamIdleTimeout) {
    this.core = requireNonNull(core, "core");
    this.clock = requireNonNull(clock, "clock");
    this.streamIdleTimeout = requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    this.tokenization = new Tokenization(core.models());
  }

  /** Response header saying what fast mode changed, e.g. {@code max_tokens=32}. */
  public static final Metadata.Key<String> FAST_MODE_HEADER =
      Metadata.Key.of("inferd-fast-mode", Metadata.ASCII_STRING_MARSHALLER);

  /** Plans with the call's remaining time, so a short deadline gets a fast answer. */
  private PlannedCompletion plan(CompleteRequest request, CallStats stats) {
    Deadline deadline = Context.current().getDeadline();
    OptionalLong deadlineNanoTime =
        deadline == null
            ? OptionalLong.empty()
            : OptionalLong.of(System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS));
    PlannedCompletion plan = core.plan(ProtoMapping.toInput(request), deadlineNanoTime);
    if (plan.isFastMode()) {
      CallTracker.putResponseHeader(FAST_MODE_HEADER, plan.fastMode());
      stats.note("fast-mode:" + plan.fastMode().replace(' ', ','));
    }
    return plan;
  }

  @Override
  public void complete(CompleteRequest request, StreamObserver<CompleteResponse> out) {
    var call = (ServerCallStreamObserver<CompleteResponse>) out;
    var work = new AtomicReference<CompletableFuture<Completion>>();
    call.setOnCancelHandler(() -> cancel(work.get()));
    var cancellation = CallCancellation.ofCurrentCall();
    CallStats stats = CallTracker.stats();
    try {
      PlannedCompletion plan = plan(request, stats);
      String id = InferenceCore.newCompletionId();
      var created = clock.instant();
      completeAndAnswer(
          call,
          true,
          work,
          plan,
          stats,
          (index, text, tokens) -> !cancellation.cancelled(),
          completion -> {
            call.onNext(
                ProtoMapping.response(id, plan.model(), completion, plan.logprobs(), created));
            call.onCompleted();
          });
    } catch (RuntimeException e) {
      call.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void streamComplete(CompleteRequest request, StreamObserver<StreamChunk> out) {
    var call = (ServerCallStreamObserver<StreamChunk>) out;
    var transport = new CallTransport<>(call, CallCancellation.ofCurrentCall());
    var outlet = new StreamOutlet<>(transport, streamIdleTimeout);
    var work = new AtomicReference<CompletableFuture<Completion>>();
    call.setOnReadyHandler(outlet::wake); // transport drained: the writer may continue
    call.setOnCancelHandler(
        () -> { // client cancel or deadline; also keeps onNext from throwing
          transport.gone = true;
          outlet.wake();
          cancel(work.get());
        });
    CallStats stats = CallTracker.stats();
    try {
      PlannedCompletion plan = plan(request, stats);
      var header = new ProtoMapping.StreamHeader(InferenceCore.newCompletionId(), plan.model());
      boolean[] started = new boolean[plan.n()]; // per choice
      ChoiceSink send =
          (index, text, tokens) -> {
            StreamChunk chunk =
                ProtoMapping.delta(header, index, text, tokens, plan.logprobs(), !started[index]);
            started[index] = true;
            return outlet.offer(chunk) == StreamOutlet.Outcome.WRITTEN; // false stops decoding
          };
      // n > 1: choices run on several threads; one offer at a time keeps each choice's order. One
      // choice has one writer and takes no lock per token.
      ChoiceSink sink =
          plan.n() == 1
              ? send
              : (index, text, tokens) -> {
                synchronized (outlet) {
                  return send.onPiece(index, text, tokens);
                }
              };
      completeAndAnswer(
          call,
          false,
          work,
          plan,
          stats,
          sink,
          completion -> {
            if (outlet.idleTimedOut()) {
              stats.note("stream-idle-timeout");
              call.onError(
                  Status.DEADLINE_EXCEEDED
                      .withDescription(
                          "stream idle: the client read nothing for "
                              + streamIdleTimeout.toSeconds()
                              + " s (--stream-idle-timeout); generation stopped")
                      .asRuntimeException());
              return;
            }
            // Every choice has ended: nothing else writes now.
            call.onNext(ProtoMapping.last(header, completion, started));
            call.onCompleted();
          });
    } catch (RuntimeException e) {
      call.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> out) {
    answer(
        out,
        () -> {
          Tokenization.Tokens tokens =
              tokenization.tokenize(request.getModel(), request.getText(), request.getAddSpecial());
          TokenizeResponse.Builder response =
              TokenizeResponse.newBuilder().setModel(tokens.model());
          for (int id : tokens.ids()) {
            response.addTokens(id);
          }
          return response.build();
        });
  }

  @Override
  public void detokenize(DetokenizeRequest request, StreamObserver<DetokenizeResponse> out) {
    answer(
        out,
        () -> {
          int[] ids = request.getTokensList().stream().mapToInt(Integer::intValue).toArray();
          Tokenization.Text text = tokenization.detokenize(request.getModel(), ids);
          return DetokenizeResponse.newBuilder()
              .setModel(text.model())
              .setText(text.text())
              .build();
        });
  }

  /** A unary answer computed on this thread: the response, or the mapped status. */
  private static <T> void answer(StreamObserver<T> out, Supplier<T> response) {
    try {
      out.onNext(response.get());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public StreamObserver<EmbedRequest> batchEmbed(StreamObserver<BatchEmbedResponse> out) {
    var call = (ServerCallStreamObserver<BatchEmbedResponse>) out;
    var work = new AtomicReference<CompletableFuture<?>>();
    call.setOnCancelHandler(() -> cancel(work.get()));
    EmbeddingBatch batch = core.newEmbeddingBatch();
    CallStats stats = CallTracker.stats();
    return new StreamObserver<>() {
      private boolean failed;

      @Override
      public void onNext(EmbedRequest request) {
        if (failed) {
          return;
        }
        try {
          batch.add(request.getModel(), request.getText());
        } catch (RuntimeException e) {
          failed = true;
          call.onError(StatusMapper.toException(e));
        }
      }

      @Override
      public void onError(Throwable t) {
        failed = true; // the client went away; there is nobody to answer
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        var result = batch.finish();
        work.set(result);
        answerWhenDone(
            call,
            result,
            embeddings -> {
              stats.model(embeddings.model());
              stats.addUsage(embeddings.tokenCount(), 0);
              call.onNext(ProtoMapping.embeddings(embeddings));
              call.onCompleted();
            });
      }
    };
  }

  @Override
  public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> out) {
    return new ChatSession(
        core, (ServerCallStreamObserver<ChatMessage>) out, clock, CallTracker.stats());
  }

  /**
   * A gRPC stream as the outlet sees it: ready when flow control allows, gone once the call's
   * context was cancelled or its cancel handler ran. The outlet asks whether it is ready once per
   * few KiB of tokens, and whether the client is gone around each token's write, so a cancel must
   * show without asking the stream: flags are also cheaper than {@code isCancelled()} through every
   * interceptor's forwarding call.
   */
  private static final class CallTransport<T extends MessageLite>
      implements StreamOutlet.Transport<T> {
    private final ServerCallStreamObserver<T> call;
    private final CallCancellation cancellation;
    volatile boolean gone;

    CallTransport(ServerCallStreamObserver<T> call, CallCancellation cancellation) {
      this.call = call;
      this.cancellation = cancellation;
    }

    @Override
    public boolean ready() {
      return call.isReady();
    }

    @Override
    public boolean gone() {
      return gone || cancellation.cancelled();
    }

    @Override
    public boolean write(T message) {
      call.onNext(message); // one writer at a time: the outlet's caller sees to it
      return true;
    }

    @Override
    public boolean queuesWrites() {
      return true; // grpc-java's own queue, bounded by isReady
    }

    @Override
    public int queuedSize(T message) {
      return message.getSerializedSize(); // kept by the message for its marshalling
    }
  }

  /**
   * Starts {@code plan} (cancellable through {@code work}) and answers when it ends; the call's
   * stats get its first token time and its token counts. A unary call's handler thread may run the
   * engine itself ({@link InferenceCore#completeWaiting}): it would only wait otherwise. It then
   * cannot run the cancel handler meanwhile, but the call's {@link CallCancellation} still turns at
   * once, which is what {@code sink} looks at.
   */
  private void completeAndAnswer(
      ServerCallStreamObserver<?> call,
      boolean unary,
      AtomicReference<CompletableFuture<Completion>> work,
      PlannedCompletion plan,
      CallStats stats,
      ChoiceSink sink,
      Consumer<Completion> answer) {
    ChoiceSink timed =
        (index, text, tokens) -> {
          stats.firstToken();
          return sink.onPiece(index, text, tokens);
        };
    work.set(unary ? core.completeWaiting(plan, timed, stats) : core.complete(plan, timed, stats));
    answerWhenDone(
        call,
        work.get(),
        completion -> {
          stats.addUsage(completion.promptTokens(), completion.completionTokens());
          answer.accept(completion);
        });
  }

  /**
   * When the engine work ends: nothing if the client is gone, the mapped status if it failed, else
   * {@code answer}. Work that started after the client left is cancelled at once.
   */
  private static <T> void answerWhenDone(
      ServerCallStreamObserver<?> call, CompletableFuture<T> work, Consumer<T> answer) {
    if (call.isCancelled()) {
      work.cancel(false);
    }
    work.whenComplete(
        (result, error) -> {
          if (call.isCancelled()) {
            return;
          }
          if (error != null) {
            call.onError(StatusMapper.toException(error));
            return;
          }
          answer.accept(result);
        });
  }

  private static void cancel(CompletableFuture<?> work) {
    if (work != null) {
      work.cancel(false);
    }
  }
}
