package io.inferd.engine.remote;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * A text generator that is another server implementing ai.inference.v1 (another inferd): the
 * conversation goes upstream as a StreamComplete call and tokens come back as they arrive. The
 * caller's remaining deadline becomes the upstream call's deadline, and a sink that says stop
 * cancels the upstream call, so deadline and cancellation travel the whole chain. Each upstream
 * call carries {@code x-request-id} (the caller's, see {@link RequestIds}, or a fresh one) and
 * {@code x-api-key} when a key is configured ({@code --upstream-api-key}), and is logged once on
 * {@code inferd.upstream}.
 */
public final class GrpcUpstreamGenerator extends RemoteGenerator {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final String target;
  private final String upstreamModel;
  private final InferenceServiceGrpc.InferenceServiceBlockingStub stub;

  public GrpcUpstreamGenerator(
      ManagedChannel channel, String upstreamModel, String apiKey, int parallelism) {
    super(parallelism);
    this.channel = requireNonNull(channel, "channel");
    this.target = channel.authority();
    this.upstreamModel = upstreamModel == null ? "" : upstreamModel;
    var stub = InferenceServiceGrpc.newBlockingStub(channel);
    if (apiKey != null && !apiKey.isBlank()) {
      Metadata headers = new Metadata();
      headers.put(API_KEY, apiKey);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.stub = stub;
  }

  /** Connects in plaintext to {@code host:port}. */
  public static GrpcUpstreamGenerator connect(
      String target, String upstreamModel, String apiKey, int parallelism) {
    return new GrpcUpstreamGenerator(
        NettyChannelBuilder.forTarget(target).usePlaintext().build(),
        upstreamModel,
        apiKey,
        parallelism);
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    String requestId = RequestIds.take(request.prompt());
    long start = System.nanoTime();
    Metadata perCall = new Metadata();
    perCall.put(RequestIds.METADATA_KEY, requestId);
    CompleteRequest.Builder call =
        CompleteRequest.newBuilder()
            .setModel(upstreamModel)
            .setMaxTokens(request.maxTokens())
            .setTemperature(request.sampling().temperature())
            .setTopP(request.sampling().topP());
    request.sampling().seed().ifPresent(call::setSeed);
    for (Turn turn : request.prompt().conversation()) {
      call.addMessages(
          Message.newBuilder().setRole(turn.role().wireName()).setContent(turn.content()));
    }
    var upstream = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(perCall));
    if (request.deadlineNanoTime().isPresent()) {
      long remaining = request.deadlineNanoTime().getAsLong() - System.nanoTime();
      upstream = upstream.withDeadline(Deadline.after(remaining, TimeUnit.NANOSECONDS));
    }
    // A context of its own, so stopping here cancels exactly this upstream call.
    Context.CancellableContext scope = Context.ROOT.withCancellation();
    StringBuilder text = new StringBuilder();
    int tokens = 0;
    try {
      var finalUpstream = upstream;
      Iterator<StreamChunk> chunks = scope.call(() -> finalUpstream.streamComplete(call.build()));
      while (chunks.hasNext()) {
        StreamChunk chunk = chunks.next();
        if (chunk.getChoicesCount() == 0) {
          continue;
        }
        var choice = chunk.getChoices(0);
        if (chunk.hasUsage()) {
          log(requestId, start, "OK", choice.getFinishReason(), tokens);
          return new Generation(
              text.toString(),
              chunk.getUsage().getPromptTokens(),
              chunk.getUsage().getCompletionTokens(),
              "length".equals(choice.getFinishReason()) ? FinishReason.LENGTH : FinishReason.STOP);
        }
        String piece = choice.getDelta().getContent();
        tokens++;
        text.append(piece);
        if (!sink.onToken(piece)) {
          scope.cancel(null);
          log(requestId, start, "CANCELLED", "cancelled", tokens);
          return new Generation(text.toString(), 0, tokens, FinishReason.CANCELLED);
        }
      }
      throw new IllegalStateException("upstream stream ended without its final usage chunk");
    } catch (StatusRuntimeException e) {
      if (scope.isCancelled()) {
        log(requestId, start, "CANCELLED", "cancelled", tokens);
        return new Generation(text.toString(), 0, tokens, FinishReason.CANCELLED);
      }
      log(requestId, start, e.getStatus().getCode().name(), "error", tokens);
      throw UpstreamFailures.fromGrpc(target, e);
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    } finally {
      scope.cancel(null);
    }
  }

  private void log(String requestId, long startNanos, String code, String outcome, int tokens) {
    UpstreamLog.request(
        "grpc://" + target,
        upstreamModel,
        requestId,
        "status=" + code,
        outcome,
        startNanos,
        " tokens_out=" + tokens);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
