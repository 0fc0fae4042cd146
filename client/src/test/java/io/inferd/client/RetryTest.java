package io.inferd.client;

import static io.inferd.client.testing.FakeInferenceService.BREAKING_MODEL;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.StreamChunk;
import io.inferd.client.testing.InProcessInference;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's built-in retry as {@link InferenceClient} sets it up; attempts counted server-side.
 */
class RetryTest {
  private static final String COMPLETE = "ai.inference.v1.InferenceService/Complete";

  private InProcessInference server;
  private InferenceClient client;

  @BeforeEach
  void start() throws Exception {
    server = InProcessInference.start();
    client = connect(InferenceClient.builder("in-process")); // default policy: 3 retries
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void complete_unavailableTwice_succeedsOnTheThirdAttempt() {
    server.failNext(2, Status.UNAVAILABLE);

    var response = client.complete(Prompts.complete("hi"));

    assertThat(response.getChoices(0).getMessage().getContent()).isEqualTo("echo: hi");
    assertThat(server.attemptedMethods()).containsExactly(COMPLETE, COMPLETE, COMPLETE);
  }

  @Test
  void complete_unavailableEveryTime_givesUpAfterThreeRetries() {
    server.failNext(10, Status.UNAVAILABLE.withDescription("overloaded"));

    assertFailsWith(() -> client.complete(Prompts.complete("hi")), Status.Code.UNAVAILABLE);

    assertThat(server.attempts).hasSize(4);
  }

  @Test
  void complete_invalidArgument_isNotRetried() {
    server.failNext(1, Status.INVALID_ARGUMENT);

    assertFailsWith(() -> client.complete(Prompts.complete("hi")), Status.Code.INVALID_ARGUMENT);

    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void complete_deadlineExceededFromTheServer_isRetriedWhileTheCallHasTimeLeft() {
    server.failNext(1, Status.DEADLINE_EXCEEDED.withDescription("queue wait over"));

    client.complete(Prompts.complete("hi"));

    assertThat(server.attempts).hasSize(2);
  }

  @Test
  void complete_resourceExhaustedWithPushback_retriesOnlyAfterThePushback() {
    server.failNextWithPushback(Status.RESOURCE_EXHAUSTED, "200");

    client.complete(Prompts.complete("hi"));

    assertThat(server.attempts).hasSize(2);
    long gapNanos = server.attempts.get(1).nanoTime() - server.attempts.get(0).nanoTime();
    // Without the pushback the backoff would be under 100 ms.
    assertThat(Duration.ofNanos(gapNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
  }

  @Test
  void complete_negativePushback_stopsRetrying() {
    server.failNextWithPushback(Status.RESOURCE_EXHAUSTED, "-1");

    assertFailsWith(() -> client.complete(Prompts.complete("hi")), Status.Code.RESOURCE_EXHAUSTED);

    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void complete_pushbackOnACodeNotInThePolicy_isRetriedAnyway() {
    // grpc-java's behaviour, stated in RetryPolicy's comment: a pushback >= 0 means "retry".
    server.failNextWithPushback(Status.INVALID_ARGUMENT, "0");

    client.complete(Prompts.complete("hi"));

    assertThat(server.attempts).hasSize(2);
  }

  @Test
  void complete_pushbackLongerThanTheDeadline_failsAtTheDeadlineWithoutAnotherAttempt() {
    server.failNextWithPushback(Status.UNAVAILABLE, "10000");

    long start = System.nanoTime();
    assertFailsWith(
        () -> client.complete(Prompts.complete("hi"), Duration.ofMillis(300)),
        Status.Code.DEADLINE_EXCEEDED);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void streamComplete_failsAfterTheFirstChunk_isNotRetried() {
    var request = Prompts.complete("one two").toBuilder().setModel(BREAKING_MODEL).build();

    Iterator<StreamChunk> chunks = client.streamComplete(request);

    assertThat(chunks.next().getChoices(0).getDelta().getContent()).isEqualTo("echo:");
    assertFailsWith(chunks::hasNext, Status.Code.UNAVAILABLE);
    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void batchEmbed_unavailableTwice_replaysEveryTextOnTheThirdAttempt() {
    server.failNext(2, Status.UNAVAILABLE);

    var response = client.batchEmbed("m", List.of("a", "bb", "ccc"));

    assertThat(response.getEmbeddingsCount()).isEqualTo(3);
    assertThat(server.attempts).hasSize(3);
    assertThat(server.service.embedRequests)
        .extracting(EmbedRequest::getText)
        .containsExactly("a", "bb", "ccc");
  }

  @Test
  void chat_unavailableAtTheStart_isRetriedWithTheTurnsSentSoFar() throws Exception {
    server.failNext(1, Status.UNAVAILABLE);
    var replies = new CopyOnWriteArrayList<String>();
    var ended = new CompletableFuture<Void>();

    StreamObserver<ChatMessage> turns = client.chat(collect(replies, ended));
    turns.onNext(Prompts.chatMessage(Prompts.USER, "hi"));
    turns.onNext(Prompts.chatMessage(Prompts.USER, "bye"));
    turns.onCompleted();
    ended.get(5, SECONDS);

    assertThat(replies).containsExactly("echo: hi", "echo: bye");
    assertThat(server.attempts).hasSize(2);
  }

  @Test
  void noRetry_unavailable_triesOnce() throws Exception {
    client.close();
    client = connect(InferenceClient.builder("in-process").noRetry());
    server.failNext(1, Status.UNAVAILABLE);

    assertFailsWith(() -> client.complete(Prompts.complete("hi")), Status.Code.UNAVAILABLE);

    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void retry_moreThanFourRetries_areAllMade() {
    // grpc-java caps attempts at 5 unless the channel allows more; the client raises the cap.
    client.close();
    var policy = new RetryPolicy(6, Duration.ofMillis(1), Duration.ofMillis(5), 2);
    client = connect(InferenceClient.builder("in-process").retry(policy));
    server.failNext(6, Status.UNAVAILABLE);

    client.complete(Prompts.complete("hi"));

    assertThat(server.attempts).hasSize(7);
  }

  private InferenceClient connect(InferenceClient.Builder builder) {
    return builder.channelBuilder(server.channelBuilder()).build();
  }

  private static void assertFailsWith(ThrowingCallable call, Status.Code code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }

  private static StreamObserver<ChatMessage> collect(
      List<String> replies, CompletableFuture<Void> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ChatMessage reply) {
        replies.add(reply.getContent());
      }

      @Override
      public void onError(Throwable t) {
        ended.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    };
  }
}
