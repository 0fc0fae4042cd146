package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every RPC over Netty on 127.0.0.1 against the real tiny GGUF model and MiniLM. */
class InferenceServiceEndToEndTest {
  private ObservedGenerator generator;
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    generator = ObservedGenerator.open(TestModels.tiny());
    running = RunningServer.start(generator, 2, 4);
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  static CompleteRequest.Builder ask(String prompt) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent(prompt));
  }

  @Test
  void complete_returnsOneAssistantChoiceWithUsage() {
    CompleteResponse response = running.blocking().complete(ask("the cat").setMaxTokens(8).build());

    assertThat(response.getId()).startsWith("cmpl-");
    assertThat(response.getModel()).isEqualTo("tiny");
    assertThat(response.getChoicesList()).hasSize(1);
    assertThat(response.getChoices(0).getMessage().getRole()).isEqualTo("assistant");
    assertThat(response.getChoices(0).getMessage().getContent()).isNotEmpty();
    assertThat(response.getChoices(0).getFinishReason()).isIn("stop", "length");
    assertThat(response.getUsage().getPromptTokens()).isPositive();
    assertThat(response.getUsage().getCompletionTokens()).isBetween(1, 8);
    assertThat(response.getUsage().getTotalTokens())
        .isEqualTo(
            response.getUsage().getPromptTokens() + response.getUsage().getCompletionTokens());
    assertThat(response.getCreatedAt().getSeconds())
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
  }

  @Test
  void complete_reachingMaxTokens_finishesWithLength() {
    CompleteResponse response = running.blocking().complete(ask("the cat").setMaxTokens(3).build());
    assertThat(response.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(response.getChoices(0).getFinishReason()).isEqualTo("length");
  }

  @Test
  void complete_sameSeed_sameText() {
    CompleteRequest request =
        ask("a dog").setTemperature(1.0f).setTopP(0.9f).setSeed(11).setMaxTokens(12).build();
    String first = running.blocking().complete(request).getChoices(0).getMessage().getContent();
    String second = running.blocking().complete(request).getChoices(0).getMessage().getContent();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void complete_appliesTheChatTemplateToMessages() {
    running
        .blocking()
        .complete(
            CompleteRequest.newBuilder()
                .addMessages(Message.newBuilder().setRole("system").setContent("be brief"))
                .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
                .setMaxTokens(2)
                .build());
    assertThat(generator.prompts.get(0))
        .contains("<|im_start|>system\nbe brief<|im_end|>")
        .endsWith("<|im_start|>assistant\n");
  }

  @Test
  void streamComplete_roleFirst_contentPerToken_usageOnlyInTheLastChunk() {
    CompleteRequest request = ask("the cat").setMaxTokens(10).build();
    List<StreamChunk> chunks = new ArrayList<>();
    running.blocking().streamComplete(request).forEachRemaining(chunks::add);

    assertThat(chunks.size()).isGreaterThanOrEqualTo(2);
    assertThat(chunks.get(0).getChoices(0).getDelta().getRole()).isEqualTo("assistant");
    chunks
        .subList(1, chunks.size())
        .forEach(c -> assertThat(c.getChoices(0).getDelta().hasRole()).isFalse());
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.hasUsage()).isTrue();
    assertThat(last.getChoices(0).getFinishReason()).isIn("stop", "length");
    chunks
        .subList(0, chunks.size() - 1)
        .forEach(
            c -> {
              assertThat(c.hasUsage()).isFalse();
              assertThat(c.getChoices(0).hasFinishReason()).isFalse();
            });
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> text.append(c.getChoices(0).getDelta().getContent()));
    long contentChunks = chunks.stream().filter(c -> !c.hasUsage()).count();
    assertThat(contentChunks).isEqualTo(last.getUsage().getCompletionTokens());
    assertThat(chunks).allSatisfy(c -> assertThat(c.getId()).isEqualTo(last.getId()));

    String unary = running.blocking().complete(request).getChoices(0).getMessage().getContent();
    assertThat(text.toString()).isEqualTo(unary); // greedy: both RPCs produce the same answer
  }

  @Test
  void batchEmbed_returnsOneVectorPerText_inStreamOrder() throws Exception {
    List<String> texts = List.of("API 설계 패턴", "마이크로서비스 아키텍처", "서버리스 컴퓨팅", "이벤트 주도 설계");
    BatchEmbedResponse response =
        batchEmbed(texts.stream().map(t -> EmbedRequest.newBuilder().setText(t).build()).toList())
            .get(10, TimeUnit.SECONDS);

    assertThat(response.getEmbeddingsList())
        .extracting(Embedding::getIndex)
        .containsExactly(0, 1, 2, 3);
    assertThat(response.getEmbeddingsList())
        .allSatisfy(e -> assertThat(e.getVectorCount()).isEqualTo(384));
    assertThat(response.getUsage().getPromptTokens()).isPositive();
    assertThat(response.getUsage().getTotalTokens())
        .isEqualTo(response.getUsage().getPromptTokens());
    // the same text embedded alone gives the same vector as inside the batch
    BatchEmbedResponse alone =
        batchEmbed(List.of(EmbedRequest.newBuilder().setText(texts.get(2)).build()))
            .get(10, TimeUnit.SECONDS);
    List<Float> a = alone.getEmbeddings(0).getVectorList();
    List<Float> b = response.getEmbeddings(2).getVectorList();
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i)).isCloseTo(b.get(i), org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void batchEmbed_unknownModel_isNotFound_namingTheModelsThatExist() {
    var future =
        batchEmbed(
            List.of(
                EmbedRequest.newBuilder().setModel("text-embedding-3-large").setText("x").build()));
    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .cause()
        .satisfies(
            e -> {
              Status status = Status.fromThrowable(e);
              assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(status.getDescription())
                  .contains("text-embedding-3-large")
                  .contains("all-minilm-l6-v2");
            });
  }

  @Test
  void batchEmbed_blankTextOrNoText_isInvalidArgument() {
    var blank =
        batchEmbed(
            List.of(
                EmbedRequest.newBuilder().setText("ok").build(),
                EmbedRequest.newBuilder().setText("  ").build()));
    assertThatThrownBy(() -> blank.get(10, TimeUnit.SECONDS))
        .cause()
        .satisfies(
            e -> {
              assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(Status.fromThrowable(e).getDescription()).contains("[1].text");
            });
    var none = batchEmbed(List.of());
    assertThatThrownBy(() -> none.get(10, TimeUnit.SECONDS))
        .cause()
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  private CompletableFuture<BatchEmbedResponse> batchEmbed(List<EmbedRequest> requests) {
    var result = new CompletableFuture<BatchEmbedResponse>();
    StreamObserver<EmbedRequest> in = running.async().batchEmbed(FutureObserver.completing(result));
    requests.forEach(in::onNext);
    in.onCompleted();
    return result;
  }

  @Test
  void chat_answersEachUserTurn_withHistoryAsThePrompt_andEndsOnHalfClose() throws Exception {
    var replies = new ArrayList<ChatMessage>();
    var done = new CompletableFuture<Void>();
    StreamObserver<ChatMessage> in =
        running
            .async()
            .chat(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ChatMessage value) {
                    synchronized (replies) {
                      replies.add(value);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    in.onNext(ChatMessage.newBuilder().setRole("system").setContent("you tell stories").build());
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat").build());
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("a dog").build());
    in.onCompleted();
    done.get(20, TimeUnit.SECONDS);

    assertThat(replies).hasSize(2);
    assertThat(replies)
        .allSatisfy(
            r -> {
              assertThat(r.getRole()).isEqualTo("assistant");
              assertThat(r.hasTimestamp()).isTrue();
            });
    assertThat(generator.prompts).hasSize(2);
    String second = generator.prompts.get(1);
    assertThat(second)
        .startsWith("<|im_start|>system\nyou tell stories<|im_end|>")
        .contains("<|im_start|>user\nthe cat<|im_end|>")
        .contains("<|im_start|>assistant\n" + replies.get(0).getContent())
        .contains("<|im_start|>user\na dog<|im_end|>");
  }

  @Test
  void chat_unknownRole_endsTheStreamWithInvalidArgument() {
    var done = new CompletableFuture<ChatMessage>();
    StreamObserver<ChatMessage> in = running.async().chat(FutureObserver.completing(done));
    in.onNext(ChatMessage.newBuilder().setRole("robot").setContent("hi").build());
    assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS))
        .cause()
        .satisfies(
            e -> {
              assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(Status.fromThrowable(e).getDescription())
                  .contains("message[0].role")
                  .contains("robot");
            });
  }

  static Stream<Arguments> invalidRequests() {
    Message user = Message.newBuilder().setRole("user").setContent("the cat").build();
    return Stream.of(
        Arguments.of(CompleteRequest.newBuilder().build(), "messages: empty"),
        Arguments.of(
            CompleteRequest.newBuilder()
                .addMessages(user)
                .addMessages(Message.newBuilder().setRole("wizard"))
                .build(),
            "messages[1].role: 'wizard'"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setMaxTokens(-5).build(),
            "max_tokens: -5 (expected: >= 0)"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setTemperature(2.5f).build(),
            "temperature: 2.5"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setTemperature(-0.1f).build(),
            "temperature: -0.1"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setTopP(0f).build(), "top_p: 0.0"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setTopP(1.5f).build(), "top_p: 1.5"),
        Arguments.of(
            CompleteRequest.newBuilder().addMessages(user).setMaxTokens(250).build(),
            "max_tokens: 250"),
        Arguments.of(
            CompleteRequest.newBuilder()
                .addMessages(
                    Message.newBuilder().setRole("user").setContent("the cat ".repeat(300)))
                .build(),
            "messages: the prompt is"));
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void invalidRequest_isInvalidArgument_namingTheField_onBothRpcs(
      CompleteRequest request, String message) {
    assertThatThrownBy(() -> running.blocking().complete(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
    Iterator<StreamChunk> stream = running.blocking().streamComplete(request);
    assertThatThrownBy(stream::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    // and the server keeps serving
    assertThat(
            running.blocking().complete(ask("the cat").setMaxTokens(1).build()).getChoicesCount())
        .isEqualTo(1);
  }

  @Test
  void unknownModel_isNotFound_namingTheModelsThatExist() {
    assertThatThrownBy(() -> running.blocking().complete(ask("hi").setModel("claude-4").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).contains("claude-4").contains("tiny");
            });
  }

  @Test
  void health_isServing_andReflectionListsTheService() throws Exception {
    var health = HealthGrpc.newBlockingStub(running.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService(InferenceServiceGrpc.SERVICE_NAME)
                        .build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);

    var services = new CompletableFuture<ServerReflectionResponse>();
    var reflection =
        ServerReflectionGrpc.newStub(running.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    StreamObserver<ServerReflectionRequest> in =
        reflection.serverReflectionInfo(FutureObserver.completing(services));
    in.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    in.onCompleted();
    assertThat(services.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(s -> s.getName())
        .contains("ai.inference.v1.InferenceService", "grpc.health.v1.Health");
  }
}
