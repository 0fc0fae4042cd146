package io.inferd.client;

import static io.inferd.client.testing.FakeInferenceService.BREAKING_MODEL;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.client.testing.InProcessInference;
import io.inferd.client.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoggingInterceptorTest {
  private static final String SERVICE = "ai\\.inference\\.v1\\.InferenceService/";
  private static final String API_KEY = "sk-do-not-log-me";
  private static final String PROMPT = "the secret recipe";

  private InProcessInference server;
  private LogCapture log;
  private InferenceClient client;

  @BeforeEach
  void start() throws Exception {
    server = InProcessInference.start();
    log = LogCapture.of(LoggingInterceptor.class, Level.DEBUG);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    log.close();
    server.close();
  }

  @Test
  void eachCallKind_logsExactlyOneInfoLineWithMethodStatusAndMillis() throws Exception {
    connect(LoggingInterceptor.create());

    callAllFourKinds();

    assertThat(log.events()).allMatch(e -> e.getLevel() == Level.INFO);
    assertThat(log.lines())
        .satisfiesExactly(
            line -> assertThat(line).matches(SERVICE + "Complete OK \\d+ms"),
            line ->
                assertThat(line).matches(SERVICE + "StreamComplete OK \\d+ms sent=1 received=4"),
            line -> assertThat(line).matches(SERVICE + "BatchEmbed OK \\d+ms sent=2 received=1"),
            line -> assertThat(line).matches(SERVICE + "Chat OK \\d+ms sent=2 received=2"));
  }

  @Test
  void failedCall_logsOneWarnLineWithTheCodeAndDescription() {
    connect(LoggingInterceptor.create());
    var request = Prompts.complete("hi").toBuilder().setMaxTokens(-5).build();

    assertThatThrownBy(() -> client.complete(request)).isInstanceOf(StatusRuntimeException.class);

    assertThat(log.events())
        .singleElement()
        .extracting(ILoggingEvent::getLevel)
        .isEqualTo(Level.WARN);
    assertThat(log.lines().get(0))
        .matches(
            SERVICE + "Complete INVALID_ARGUMENT \\d+ms - max_tokens: -5 \\(expected: >= 0\\)");
  }

  @Test
  void streamThatBreaks_logsTheMessagesReceivedBeforeTheError() {
    connect(LoggingInterceptor.create());
    var request = Prompts.complete("one two").toBuilder().setModel(BREAKING_MODEL).build();

    assertThatThrownBy(() -> client.streamComplete(request).forEachRemaining(chunk -> {}))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(log.lines())
        .singleElement()
        .asString()
        .matches(SERVICE + "StreamComplete UNAVAILABLE \\d+ms sent=1 received=1 - engine lost");
  }

  @Test
  void retriedCall_isStillOneLineAndCountsTheAttempts() {
    connect(LoggingInterceptor.create());
    server.failNext(2, Status.UNAVAILABLE);

    client.complete(Prompts.complete("hi"));

    assertThat(log.lines())
        .singleElement()
        .asString()
        .matches(SERVICE + "Complete OK \\d+ms attempts=3");
  }

  @Test
  void notVerbose_logsNeitherMessageTextNorTheApiKey() throws Exception {
    connect(LoggingInterceptor.create());

    callAllFourKinds();

    assertThat(log.lines()).hasSize(4).noneMatch(line -> line.contains(PROMPT));
    assertThat(log.lines()).noneMatch(line -> line.contains(API_KEY));
  }

  @Test
  void verbose_logsEachMessageAtDebugButNeverTheApiKey() throws Exception {
    connect(LoggingInterceptor.createVerbose());

    callAllFourKinds();

    List<String> debug = linesAt(Level.DEBUG);
    assertThat(debug)
        .anyMatch(line -> line.matches(SERVICE + "Complete sent: .*content: \"" + PROMPT + "\".*"))
        .anyMatch(line -> line.matches(SERVICE + "Complete received: .*echo: " + PROMPT + ".*"))
        .anyMatch(line -> line.matches(SERVICE + "BatchEmbed sent: .*text: \"" + PROMPT + "\".*"))
        .anyMatch(line -> line.matches(SERVICE + "Chat received: .*echo: " + PROMPT + ".*"));
    assertThat(linesAt(Level.INFO)).hasSize(4);
    assertThat(log.lines()).noneMatch(line -> line.contains(API_KEY));
  }

  @Test
  void verbose_longMessage_isCutAt2000Characters() {
    connect(LoggingInterceptor.createVerbose());

    client.complete(Prompts.complete("x".repeat(5_000)));

    assertThat(linesAt(Level.DEBUG))
        .first()
        .asString()
        .matches(SERVICE + "Complete sent: .{2000}\\.\\.\\. \\(\\d+ chars\\)");
  }

  @Test
  void verbose_disabledDebugLevel_logsNoContents() {
    log.close();
    log = LogCapture.of(LoggingInterceptor.class, Level.INFO);
    connect(LoggingInterceptor.createVerbose());

    client.complete(Prompts.complete(PROMPT));

    assertThat(log.lines()).singleElement().asString().doesNotContain(PROMPT);
  }

  @Test
  void sink_receivesTheLinesInsteadOfSlf4j() {
    List<String> lines = new ArrayList<>();
    connect(LoggingInterceptor.to((level, line) -> lines.add(level + " " + line), true));

    client.complete(Prompts.complete(PROMPT));

    assertThat(lines)
        .satisfiesExactly(
            line -> assertThat(line).startsWith("DEBUG ").contains("sent: ").contains(PROMPT),
            line -> assertThat(line).startsWith("DEBUG ").contains("received: "),
            line -> assertThat(line).matches("INFO " + SERVICE + "Complete OK \\d+ms"));
    assertThat(log.lines()).isEmpty();
  }

  private void connect(LoggingInterceptor logging) {
    client =
        InferenceClient.builder("in-process")
            .channelBuilder(server.channelBuilder())
            .apiKey(API_KEY)
            .logging(logging)
            .build();
  }

  private void callAllFourKinds() throws Exception {
    client.complete(Prompts.complete(PROMPT));
    client.streamComplete(Prompts.complete("one two")).forEachRemaining(chunk -> {});
    client.batchEmbed("", List.of(PROMPT, "b"));
    var ended = new CompletableFuture<Void>();
    StreamObserver<ChatMessage> turns = client.chat(endedBy(ended));
    turns.onNext(Prompts.chatMessage(Prompts.USER, PROMPT));
    turns.onNext(Prompts.chatMessage(Prompts.USER, "bye"));
    turns.onCompleted();
    ended.get(5, SECONDS);
  }

  private List<String> linesAt(Level level) {
    return log.events().stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static StreamObserver<ChatMessage> endedBy(CompletableFuture<Void> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ChatMessage reply) {}

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
