package io.inferd.bench.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.MessageDelta;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Usage;
import io.inferd.app.CallExecutor;
import io.inferd.bench.Payloads;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * FOR BENCHMARKS ONLY: the floor under inferd's transport cost. A grpc-java server on the same
 * proto with grpc-java's defaults but inferd's {@link CallExecutor} (so that the ratio is inferd's
 * work, not a choice of executor; paced, grpc-java's cached pool, since each handler then waits
 * between chunks on its own thread as inferd's engine threads do), no interceptors, no request core
 * and no engine: Complete returns the bench engine's canned answer, StreamComplete writes the same
 * chunks inferd writes for the bench engine's tokens (role on the first, finish reason and usage on
 * a last one). Prints {@code bench-server ready: pid=… grpc=…} as {@link BenchServer} does.
 */
public final class BareGrpcServer {
  private BareGrpcServer() {}

  /** Takes one option, {@code --token-interval-ms N}, as {@link BenchServer} does. */
  public static void main(String[] args) throws Exception {
    Duration tokenInterval = Duration.ZERO;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--token-interval-ms") && i + 1 < args.length) {
        tokenInterval = Duration.ofMillis(Long.parseLong(args[++i]));
      } else {
        throw new IllegalArgumentException(
            "unknown argument: " + args[i] + " (expected: --token-interval-ms N)");
      }
    }
    var builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new CannedService(tokenInterval));
    if (tokenInterval.isZero()) {
      builder.executor(CallExecutor.create()); // inferd's: the ratio is its work, not its executor
    } // else grpc-java's cached pool: a paced handler waits on its own thread, as inferd's engine
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "bare-server-shutdown"));
    System.out.printf(
        "bench-server ready: pid=%d grpc=%d models=%s%n",
        ProcessHandle.current().pid(), server.getPort(), Payloads.MODEL);
    System.out.flush();
    server.awaitTermination();
  }

  /** Canned answers of the size inferd gives the same requests on the bench engine. */
  static final class CannedService extends InferenceServiceGrpc.InferenceServiceImplBase {
    private static final CompleteResponse ANSWER = Payloads.completeResponse();

    private final long tokenIntervalNanos;

    /**
     * Chunks {@code tokenInterval} apart, as the bench engine spaces its tokens (zero: a burst).
     */
    CannedService(Duration tokenInterval) {
      this.tokenIntervalNanos = tokenInterval.toNanos();
    }

    @Override
    public void complete(CompleteRequest request, StreamObserver<CompleteResponse> response) {
      response.onNext(ANSWER);
      response.onCompleted();
    }

    @Override
    public void streamComplete(CompleteRequest request, StreamObserver<StreamChunk> response) {
      List<StreamChunk> chunks = chunks(request.getMaxTokens());
      for (int i = 0; i < chunks.size(); i++) {
        if (i > 0 && i < chunks.size() - 1) { // the usage chunk follows the last token at once
          pause(tokenIntervalNanos);
        }
        response.onNext(chunks.get(i));
      }
      response.onCompleted();
    }

    private static void pause(long nanos) {
      long until = System.nanoTime() + nanos;
      for (long left = nanos; left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    }

    static List<StreamChunk> chunks(int tokens) {
      StreamChunk[] chunks = new StreamChunk[tokens + 1];
      for (int i = 0; i < tokens; i++) {
        MessageDelta.Builder delta =
            MessageDelta.newBuilder().setContent(Payloads.TOKENS.get(i % Payloads.TOKENS.size()));
        if (i == 0) {
          delta.setRole("assistant");
        }
        chunks[i] = chunk(StreamChoice.newBuilder().setIndex(0).setDelta(delta)).build();
      }
      int prompt = Payloads.promptTokens();
      chunks[tokens] =
          chunk(
                  StreamChoice.newBuilder()
                      .setIndex(0)
                      .setDelta(MessageDelta.getDefaultInstance())
                      .setFinishReason("length"))
              .setUsage(
                  Usage.newBuilder()
                      .setPromptTokens(prompt)
                      .setCompletionTokens(tokens)
                      .setTotalTokens(prompt + tokens))
              .build();
      return List.of(chunks);
    }

    private static StreamChunk.Builder chunk(StreamChoice.Builder choice) {
      return StreamChunk.newBuilder()
          .setId(Payloads.COMPLETION_ID)
          .setModel(Payloads.MODEL)
          .addChoices(choice);
    }
  }
}
