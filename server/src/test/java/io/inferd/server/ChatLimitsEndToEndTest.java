package io.inferd.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Chat stream cannot make the server hold or redo unbounded work. */
class ChatLimitsEndToEndTest {
  private ObservedGenerator generator;
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    generator = ObservedGenerator.open(TestModels.tiny());
    running = RunningServer.start(generator, 1, 4);
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  private static StreamObserver<ChatMessage> ending(CompletableFuture<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ChatMessage value) {}

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    };
  }

  @Test
  void thousandsOfReplayedTurns_areTrimmedWithAFewRenders_notOnePerDroppedTurn() throws Exception {
    var ended = new CompletableFuture<Status>();
    StreamObserver<ChatMessage> in =
        running.async().withDeadlineAfter(20, TimeUnit.SECONDS).chat(ending(ended));
    int turns = 3_000;
    for (int i = 0; i < turns; i++) {
      in.onNext(
          ChatMessage.newBuilder()
              .setRole("assistant")
              .setContent("once upon a time there was a cat number " + i)
              .build());
    }
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat").build());
    in.onCompleted();

    assertThat(ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(generator.renders.get())
        .as("renders to fit %d turns into the context", turns)
        .isLessThan(50);
    assertThat(generator.prompts.getFirst()).contains("cat number " + (turns - 1));
  }

  @Test
  void aDeadlineDuringTheTurn_leavesTheServerFreeForTheNextCall() throws Exception {
    var ended = new CompletableFuture<Status>();
    StreamObserver<ChatMessage> in =
        running.async().withDeadlineAfter(300, TimeUnit.MILLISECONDS).chat(ending(ended));
    for (int i = 0; i < 3_000; i++) {
      in.onNext(ChatMessage.newBuilder().setRole("assistant").setContent("x ".repeat(200)).build());
    }
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat").build());
    assertThat(ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    // The only slot is free again at once: a short Complete succeeds well inside its deadline.
    var reply =
        running
            .blocking()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .complete(
                CompleteRequest.newBuilder()
                    .addMessages(Message.newBuilder().setRole("user").setContent("a dog"))
                    .setMaxTokens(2)
                    .build());
    assertThat(reply.getChoicesCount()).isEqualTo(1);
  }

  @Test
  void tooManyUserMessagesWaitingForReplies_isResourceExhausted_namingTheLimit() throws Exception {
    var ended = new CompletableFuture<Status>();
    StreamObserver<ChatMessage> in =
        running.async().withDeadlineAfter(30, TimeUnit.SECONDS).chat(ending(ended));
    for (int i = 0; i < 1_000 && !ended.isDone(); i++) {
      in.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat " + i).build());
    }
    Status status = ended.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("waiting for a reply").contains("64");
  }
}
