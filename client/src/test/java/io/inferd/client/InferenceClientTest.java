package io.inferd.client;

import static io.inferd.client.testing.FakeInferenceService.SILENT_MODEL;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.StreamChunk;
import io.inferd.client.testing.InProcessInference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InferenceClientTest {
  private InProcessInference server;
  private InferenceClient client;

  @BeforeEach
  void startServer() throws Exception {
    server = InProcessInference.start();
    client = clientWith(InferenceClient.builder("in-process"));
  }

  @AfterEach
  void stopServer() throws Exception {
    client.close();
    server.close();
  }

  private InferenceClient clientWith(InferenceClient.Builder builder) {
    return builder.channelBuilder(server.channelBuilder()).build();
  }

  @Test
  void complete_systemAndUserPrompt_returnsTheAnswerAndSendsBothMessages() {
    CompleteRequest request =
        Prompts.complete("Be brief.", "hello there").toBuilder().setModel("m1").build();

    CompleteResponse response = client.complete(request);

    assertThat(response.getModel()).isEqualTo("m1");
    assertThat(response.getChoices(0).getMessage().getContent()).isEqualTo("echo: hello there");
    assertThat(response.getUsage().getTotalTokens()).isEqualTo(4 + 3);
    assertThat(server.service.completeRequests).containsExactly(request);
  }

  @Test
  void completeAsync_request_completesTheFutureWithTheAnswer() throws Exception {
    CompleteResponse response = client.completeAsync(Prompts.complete("hi")).get(5, SECONDS);

    assertThat(response.getChoices(0).getMessage().getContent()).isEqualTo("echo: hi");
  }

  @Test
  void completeAsync_serverError_failsTheFutureWithTheStatus() {
    var request = Prompts.complete("hi").toBuilder().setMaxTokens(-5).build();

    CompletableFuture<CompleteResponse> response = client.completeAsync(request);

    assertThatThrownBy(() -> response.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("max_tokens: -5 (expected: >= 0)");
            });
  }

  @Test
  void completeAsync_futureCancelled_cancelsTheCallOnTheServer() throws Exception {
    var request = Prompts.complete("hi").toBuilder().setModel(SILENT_MODEL).build();
    CompletableFuture<CompleteResponse> response = client.completeAsync(request);

    response.cancel(true);

    assertThat(server.service.silentCallCancelled.await(5, SECONDS)).isTrue();
  }

  @Test
  void streamComplete_blocking_yieldsTheTokensThenFinishAndUsage() {
    Iterator<StreamChunk> chunks = client.streamComplete(Prompts.complete("one two"));

    List<StreamChunk> all = new ArrayList<>();
    chunks.forEachRemaining(all::add);

    assertThat(all).hasSize(4);
    assertThat(textOf(all)).isEqualTo("echo: one two");
    StreamChunk last = all.get(all.size() - 1);
    assertThat(last.getChoices(0).getFinishReason()).isEqualTo("stop");
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(all.subList(0, 3)).noneMatch(StreamChunk::hasUsage);
  }

  @Test
  void streamComplete_async_deliversEveryChunkThenCompletes() throws Exception {
    var collected = new CollectingObserver<StreamChunk>();

    client.streamComplete(Prompts.complete("one two"), collected);

    assertThat(textOf(collected.result.get(5, SECONDS))).isEqualTo("echo: one two");
  }

  @Test
  void batchEmbed_texts_returnsOneEmbeddingPerTextInOrder() {
    BatchEmbedResponse response = client.batchEmbed("minilm", List.of("a", "bb", "ccc dd"));

    assertThat(response.getEmbeddingsList())
        .extracting(Embedding::getIndex, e -> e.getVector(0))
        .containsExactly(tuple(0, 1f), tuple(1, 2f), tuple(2, 6f));
    assertThat(response.getUsage().getTotalTokens()).isEqualTo(4);
    assertThat(server.service.embedRequests).allMatch(r -> r.getModel().equals("minilm"));
  }

  @Test
  void batchEmbed_serverError_throwsTheStatus() {
    assertThatThrownBy(() -> client.batchEmbed("", List.of("a", "")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith("texts[1]");
            });
  }

  @Test
  void chat_userTurns_getOneReplyEachAndEndAfterHalfClose() throws Exception {
    var replies = new CollectingObserver<ChatMessage>();

    StreamObserver<ChatMessage> turns = client.chat(replies);
    turns.onNext(Prompts.chatMessage(Prompts.SYSTEM, "Be kind."));
    turns.onNext(Prompts.chatMessage(Prompts.USER, "hi"));
    turns.onNext(Prompts.chatMessage(Prompts.USER, "bye"));
    turns.onCompleted();

    assertThat(replies.result.get(5, SECONDS))
        .extracting(ChatMessage::getContent)
        .containsExactly("echo: hi", "echo: bye");
    assertThat(server.service.chatMessages)
        .extracting(ChatMessage::getRole)
        .containsExactly("system", "user", "user");
    assertThat(server.service.chatMessages.get(0).hasTimestamp()).isTrue();
  }

  @Test
  void complete_serverNeverAnswers_failsWithDeadlineExceededAfterTheDefaultDeadline() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").defaultDeadline(ms(200)));
    var request = Prompts.complete("hi").toBuilder().setModel(SILENT_MODEL).build();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.complete(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(ms(150), ms(3000));
  }

  @Test
  void streamComplete_serverNeverAnswers_endsWithDeadlineExceeded() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").defaultDeadline(ms(200)));
    var request = Prompts.complete("hi").toBuilder().setModel(SILENT_MODEL).build();

    Iterator<StreamChunk> chunks = client.streamComplete(request);

    assertThatThrownBy(chunks::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void complete_explicitDeadline_overridesTheDefault() {
    var request = Prompts.complete("hi").toBuilder().setModel(SILENT_MODEL).build();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.complete(request, ms(200)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ms(3000));
  }

  @Test
  void apiKey_set_arrivesAsXApiKeyMetadataOnEveryCall() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").apiKey("sk-test"));

    client.complete(Prompts.complete("hi"));
    client.batchEmbed("", List.of("a"));

    assertThat(server.apiKeys).containsExactly(Optional.of("sk-test"), Optional.of("sk-test"));
  }

  @Test
  void apiKey_unset_sendsNoXApiKey() {
    client.complete(Prompts.complete("hi"));

    assertThat(server.apiKeys).containsExactly(Optional.empty());
  }

  @Test
  void close_channelGivenToTheBuilder_leavesItOpen() {
    InferenceClient onShared =
        InferenceClient.builder("in-process").channel(server.channel()).build();
    onShared.complete(Prompts.complete("hi"));

    onShared.close();

    assertThat(server.channel().isShutdown()).isFalse();
  }

  @Test
  void complete_deadlinePolicy_sendsTheDeadlineComputedFromTheRequest() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").deadlinePolicy(Deadlines.defaults()));
    var request = Prompts.complete("hi").toBuilder().setMaxTokens(100).build(); // 2s + 1ms + 5s

    client.complete(request);

    assertThat(onlyAttempt().deadlineAtArrival()).isBetween(ms(6_500), ms(7_001));
  }

  @Test
  void streamComplete_deadlinePolicy_sendsTheDeadlineComputedFromTheRequest() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").deadlinePolicy(Deadlines.defaults()));
    var request = Prompts.complete("hi").toBuilder().setMaxTokens(0).build(); // 2s + 1ms + 12.8s

    client.streamComplete(request).forEachRemaining(chunk -> {});

    assertThat(onlyAttempt().deadlineAtArrival()).isBetween(ms(14_300), ms(14_801));
  }

  @Test
  void complete_explicitDeadlineAndADeadlinePolicy_usesTheExplicitOne() {
    client.close();
    client = clientWith(InferenceClient.builder("in-process").deadlinePolicy(Deadlines.defaults()));

    client.complete(Prompts.complete("hi"), ms(3_000));

    assertThat(onlyAttempt().deadlineAtArrival()).isBetween(ms(2_500), ms(3_000));
  }

  @Test
  void batchEmbed_deadlinePolicy_keepsTheDefaultDeadline() {
    client.close();
    client =
        clientWith(
            InferenceClient.builder("in-process")
                .defaultDeadline(ms(20_000))
                .deadlinePolicy(Deadlines.defaults()));

    client.batchEmbed("", List.of("a"));

    assertThat(onlyAttempt().deadlineAtArrival()).isBetween(ms(19_500), ms(20_000));
  }

  @Test
  void complete_noDeadlinePolicy_sendsTheDefaultDeadline() {
    client.complete(Prompts.complete("hi").toBuilder().setMaxTokens(100).build());

    assertThat(onlyAttempt().deadlineAtArrival())
        .isBetween(
            InferenceClient.DEFAULT_DEADLINE.minusMillis(500), InferenceClient.DEFAULT_DEADLINE);
  }

  @Test
  void builder_nonPositiveDeadline_isRejected() {
    var builder = InferenceClient.builder("127.0.0.1:50051");

    assertThatThrownBy(() -> builder.defaultDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultDeadline: PT0S (expected: > 0)");
    assertThatThrownBy(() -> client.complete(Prompts.complete("hi"), ms(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_blankTarget_isRejected() {
    assertThatThrownBy(() -> InferenceClient.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target: blank");
  }

  @Test
  void builder_ownChannel_buildsLazilyAndClosesPromptly() {
    InferenceClient own = InferenceClient.builder("dns:///localhost:1").tls().build();

    long start = System.nanoTime();
    own.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ms(5000));
  }

  private InProcessInference.Attempt onlyAttempt() {
    assertThat(server.attempts).hasSize(1);
    return server.attempts.get(0);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static String textOf(List<StreamChunk> chunks) {
    var text = new StringBuilder();
    chunks.forEach(c -> c.getChoicesList().forEach(ch -> text.append(ch.getDelta().getContent())));
    return text.toString();
  }

  /** Collects a stream into a future instead of mocking the observer. */
  private static final class CollectingObserver<T> implements StreamObserver<T> {
    final CompletableFuture<List<T>> result = new CompletableFuture<>();
    private final List<T> items = new ArrayList<>();

    @Override
    public synchronized void onNext(T value) {
      items.add(value);
    }

    @Override
    public synchronized void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
      result.complete(List.copyOf(items));
    }
  }
}
