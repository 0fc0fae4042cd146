package io.inferd.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.StreamChunk;
import io.inferd.bench.Payloads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bare server's canned answers weigh what inferd's answers to the same requests weigh. */
class BareGrpcServerTest {
  private static BenchServer.Running inferd;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    inferd = BenchServer.startInProcess("--parallel", "4", "--queue", "4");
    channel = NettyChannelBuilder.forAddress("127.0.0.1", inferd.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    inferd.close();
  }

  @Test
  void complete_answersWithInferdsSize() {
    CompleteRequest request = Payloads.completeRequest(Payloads.UNARY_MAX_TOKENS);
    CompleteResponse real = InferenceServiceGrpc.newBlockingStub(channel).complete(request);
    List<CompleteResponse> canned = new ArrayList<>();
    new BareGrpcServer.CannedService(Duration.ZERO).complete(request, collect(canned));

    assertThat(canned).hasSize(1);
    assertThat(canned.getFirst().getChoices(0).getMessage().getContent())
        .isEqualTo(real.getChoices(0).getMessage().getContent());
    assertThat(canned.getFirst().getSerializedSize())
        .isBetween(real.getSerializedSize() - 4, real.getSerializedSize() + 4);
  }

  @Test
  void streamComplete_writesInferdsChunks() {
    CompleteRequest request = Payloads.completeRequest(Payloads.STREAM_TOKENS);
    List<StreamChunk> real = new ArrayList<>();
    InferenceServiceGrpc.newBlockingStub(channel)
        .streamComplete(request)
        .forEachRemaining(real::add);
    List<StreamChunk> canned = new ArrayList<>();
    new BareGrpcServer.CannedService(Duration.ZERO).streamComplete(request, collect(canned));

    assertThat(canned).hasSameSizeAs(real);
    assertThat(canned.getLast().getUsage().getCompletionTokens())
        .isEqualTo(real.getLast().getUsage().getCompletionTokens());
    int realBytes = real.stream().mapToInt(StreamChunk::getSerializedSize).sum();
    int cannedBytes = canned.stream().mapToInt(StreamChunk::getSerializedSize).sum();
    assertThat(cannedBytes).isBetween(realBytes - 16, realBytes + 16);
  }

  @Test
  void streamComplete_paced_spacesItsTokensAsTheBenchEngineDoes() {
    CompleteRequest request = Payloads.completeRequest(5);
    List<Long> sentAt = new ArrayList<>();
    List<StreamChunk> canned = new ArrayList<>();
    StreamObserver<StreamChunk> timed = collect(canned);
    new BareGrpcServer.CannedService(Duration.ofMillis(20))
        .streamComplete(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(StreamChunk chunk) {
                sentAt.add(System.nanoTime());
                timed.onNext(chunk);
              }

              @Override
              public void onError(Throwable t) {
                timed.onError(t);
              }

              @Override
              public void onCompleted() {
                timed.onCompleted();
              }
            });

    assertThat(canned).hasSize(6); // five tokens and the usage chunk
    for (int token = 1; token < 5; token++) {
      assertThat(sentAt.get(token) - sentAt.get(token - 1))
          .as("gap before token %d", token)
          .isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
    }
  }

  private static <T> StreamObserver<T> collect(List<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.add(value);
      }

      @Override
      public void onError(Throwable t) {
        throw new AssertionError(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
