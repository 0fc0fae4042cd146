package io.inferd.bench.peers;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChoice;
import io.inferd.bench.GrpcClients;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * inferd over gRPC on one channel with async stubs and {@code directExecutor()} (as the bench's
 * GrpcDriver: callbacks on Netty's thread cost the client least CPU): StreamComplete for the load,
 * one bidirectional Chat call for all turns of a conversation.
 */
final class GrpcTarget implements StreamTarget {
  private final ManagedChannel channel;
  private final InferenceServiceGrpc.InferenceServiceStub stub;

  GrpcTarget(int port) {
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    this.stub = InferenceServiceGrpc.newStub(channel);
  }

  @Override
  public String name() {
    return "inferd gRPC";
  }

  @Override
  public StreamResult stream(String userText, int maxTokens) throws Exception {
    CompleteRequest request =
        CompleteRequest.newBuilder()
            .addMessages(Message.newBuilder().setRole("user").setContent(userText))
            .setTemperature(0f)
            .setMaxTokens(maxTokens)
            .setSeed(42)
            .build();
    StreamResult.Timer timer = new StreamResult.Timer();
    var done = new CompletableFuture<StreamResult>();
    stub.withDeadlineAfter(600, TimeUnit.SECONDS)
        .streamComplete(
            request,
            GrpcClients.completing(
                chunk -> {
                  for (StreamChoice choice : chunk.getChoicesList()) {
                    if (!choice.getDelta().getContent().isEmpty()) {
                      timer.content();
                    }
                  }
                  if (chunk.hasUsage()) {
                    timer.usage(chunk.getUsage().getCompletionTokens());
                  }
                },
                timer::done,
                done));
    return done.get(610, TimeUnit.SECONDS);
  }

  /**
   * One Chat call: sends each user message after the previous reply arrived; returns each turn's
   * latency in milliseconds (message sent to reply received) and the replies.
   */
  ChatTimes chat(List<String> userMessages) throws Exception {
    var replies = new LinkedBlockingQueue<Object>(); // each reply, or the call's error
    var ended = new CompletableFuture<Void>();
    ended.whenComplete(
        (ok, error) -> {
          if (error != null) {
            replies.add(error); // ends the wait for the next reply
          }
        });
    StreamObserver<ChatMessage> requests =
        stub.withDeadlineAfter(600, TimeUnit.SECONDS)
            .chat(GrpcClients.completing(replies::add, () -> null, ended));
    List<Double> millis = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    try {
      for (String text : userMessages) {
        long start = System.nanoTime();
        requests.onNext(ChatMessage.newBuilder().setRole("user").setContent(text).build());
        Object reply = replies.poll(120, TimeUnit.SECONDS);
        long end = System.nanoTime();
        if (reply instanceof Throwable t) {
          throw new IllegalStateException("Chat failed: " + t, t);
        }
        if (reply == null) {
          throw new IllegalStateException("Chat: no reply within 120 s");
        }
        millis.add((end - start) / 1e6);
        texts.add(((ChatMessage) reply).getContent());
      }
      requests.onCompleted();
    } catch (RuntimeException | InterruptedException e) {
      requests.onError(e);
      throw e;
    }
    return new ChatTimes(millis, texts);
  }

  /** Per-turn latencies and reply texts of one conversation. */
  record ChatTimes(List<Double> millis, List<String> replies) {}

  @Override
  public void close() {
    GrpcClients.close(channel);
  }
}
