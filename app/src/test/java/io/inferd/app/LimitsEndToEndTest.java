package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.InferenceServiceGrpc.InferenceServiceBlockingStub;
import io.inferd.api.v1.Message;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server limits answer RESOURCE_EXHAUSTED with a message naming the limit, its value and option.
 */
class LimitsEndToEndTest {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    running =
        RunningServer.start(
            RunningServer.testConfig()
                .parallel(2)
                .queue(4)
                .keys(ApiKeyStore.of(null, "a=sk-a,b=sk-b"))
                .rateLimit(0.5, 3)
                .limits(new CoreLimits(16, 64, 3, 0.7f, 100))
                .build(),
            RunningServer.withEmbedder(ObservedGenerator.open(TestModels.tiny())));
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  private InferenceServiceBlockingStub as(String key) {
    Metadata headers = new Metadata();
    headers.put(API_KEY, key);
    return running.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static CompleteRequest ask(String text, int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent(text))
        .setMaxTokens(maxTokens)
        .build();
  }

  private static void assertExhausted(Throwable e, String... fragments) {
    Status status = Status.fromThrowable(e);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains(fragments);
  }

  @Test
  void maxTokensOverTheLimit_namesTheLimitAndOption() {
    assertThatThrownBy(() -> as("sk-a").complete(ask("the cat", 65)))
        .satisfies(e -> assertExhausted(e, "max_tokens: 65", "limit of 64", "--max-tokens-limit"));
  }

  @Test
  void maxTokensOverTheLimit_isNotRetriedByTheClient() {
    var lines = new java.util.concurrent.CopyOnWriteArrayList<String>();
    try (var client =
        io.inferd.client.InferenceClient.builder("127.0.0.1:" + running.server.grpcPort())
            .apiKey("sk-a")
            .logging(
                io.inferd.client.LoggingInterceptor.to((level, line) -> lines.add(line), false))
            .build()) { // the default retry policy: RESOURCE_EXHAUSTED is retried 3 times
      assertThatThrownBy(() -> client.complete(ask("the cat", 65)))
          .satisfies(e -> assertExhausted(e, "max_tokens: 65"))
          .satisfies(
              e -> assertThat(Status.trailersFromThrowable(e).get(PUSHBACK)).isEqualTo("-1"));
    }
    assertThat(lines)
        .singleElement()
        .asString()
        .contains("RESOURCE_EXHAUSTED")
        .doesNotContain("attempts=");
  }

  @Test
  void promptOverTheLimit_namesTheLimitAndOption() {
    assertThatThrownBy(() -> as("sk-a").complete(ask("the cat sat on the mat ".repeat(30), 4)))
        .satisfies(e -> assertExhausted(e, "prompt tokens", "limit of 100", "--max-prompt-tokens"));
  }

  @Test
  void tooManyTextsInOneBatch_namesTheLimitAndOption() {
    var result = new CompletableFuture<BatchEmbedResponse>();
    Metadata headers = new Metadata();
    headers.put(API_KEY, "sk-b");
    StreamObserver<EmbedRequest> in =
        running
            .async()
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .batchEmbed(FutureObserver.completing(result));
    for (int i = 0; i < 4; i++) {
      in.onNext(EmbedRequest.newBuilder().setText("text " + i).build());
    }
    in.onCompleted();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .cause()
        .satisfies(
            e -> assertExhausted(e, "texts in one batch: 4", "limit of 3", "--max-embed-texts"));
  }

  @Test
  void rateLimit_isPerKey_andCarriesARetryHint() {
    for (int i = 0; i < 3; i++) {
      as("sk-a").complete(ask("the cat", 1));
    }
    assertThatThrownBy(() -> as("sk-a").complete(ask("the cat", 1)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertExhausted(e, "caller 'key:a'", "--rate-limit");
              assertThat(Long.parseLong(Status.trailersFromThrowable(e).get(PUSHBACK)))
                  .isBetween(1L, 2000L);
            });
    assertThat(as("sk-b").complete(ask("the cat", 1)).getChoicesCount()).isEqualTo(1);
  }

  @Test
  void nonAsciiInAStatusMessage_survivesIntact() {
    var request =
        CompleteRequest.newBuilder()
            .addMessages(Message.newBuilder().setRole("로봇").setContent("안녕하세요"))
            .build();
    assertThatThrownBy(() -> as("sk-a").complete(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("'로봇'");
            });
  }
}
