package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.assertError;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.SamplingOptions;
import io.inferd.api.v1.StreamChunk;
import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.server.auth.ApiKeyStore;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stop sequences, n and rejected parameters end to end on gRPC and REST, on the shipped model. The
 * rejections run on an engine that declares no features (as a remote engine does), so they hold for
 * every engine: a parameter the engine cannot honour is refused, never ignored.
 */
class GenerationControlsEndToEndTest {
  private static final String PROMPT = "In the beginning God created";

  static LlamaGenerator kjv;
  static RunningServer grpc;
  static RunningGateway rest;
  static RunningGateway plainRest;
  static RunningServer plainGrpc;

  @BeforeAll
  static void start() throws Exception {
    Path file = DefaultModels.find(Path.of("..")).orElseThrow().path();
    kjv = LlamaGenerator.load(file, new LlamaOptions(2, 2, 256));
    grpc = RunningServer.start(kjv, 2, 8);
    rest = RunningGateway.start(kjv, 2, 8, ApiKeyStore.disabled());
    plainGrpc = RunningServer.start(new NoFeatures(kjv), 2, 8);
    plainRest = RunningGateway.start(new NoFeatures(kjv), 2, 8, ApiKeyStore.disabled());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {grpc, rest, plainGrpc, plainRest, kjv}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static CompleteRequest.Builder greedy(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent(PROMPT))
        .setTemperature(0)
        .setMaxTokens(maxTokens);
  }

  /** The greedy answer's token texts, one per stream chunk (no stop sequence holds text back). */
  private static List<String> greedyPieces() {
    List<String> pieces = new ArrayList<>();
    grpc.blocking()
        .streamComplete(greedy(32).build())
        .forEachRemaining(
            c -> {
              if (c.getChoicesCount() > 0 && c.getChoices(0).getDelta().hasContent()) {
                pieces.add(c.getChoices(0).getDelta().getContent());
              }
            });
    return pieces;
  }

  /**
   * A stop sequence made of the end of one token and the start of the next, found nowhere earlier
   * in the text, and the text expected before it.
   */
  record SplitStop(String stop, String before) {}

  static SplitStop splitStop() {
    List<String> pieces = greedyPieces();
    String text = String.join("", pieces);
    int end = 0;
    for (int k = 0; k + 1 < pieces.size(); k++) {
      end += pieces.get(k).length();
      String left = pieces.get(k);
      String right = pieces.get(k + 1);
      if (left.isEmpty() || right.isEmpty() || k == 0) {
        continue;
      }
      String tail = left.substring(Math.max(0, left.length() - 2));
      String head = right.substring(0, Math.min(2, right.length()));
      String stop = tail + head;
      if (text.indexOf(stop) == end - tail.length() && !stop.isBlank()) {
        return new SplitStop(stop, text.substring(0, end - tail.length()));
      }
    }
    throw new AssertionError("no token boundary to split a stop sequence across in: " + pieces);
  }

  @Test
  void grpcComplete_stopSplitAcrossTwoTokens_endsBeforeIt_withFinishReasonStop() {
    SplitStop split = splitStop();
    CompleteResponse response = grpc.blocking().complete(greedy(32).addStop(split.stop()).build());
    assertThat(response.getChoices(0).getMessage().getContent()).isEqualTo(split.before());
    assertThat(response.getChoices(0).getFinishReason()).isEqualTo("stop");
  }

  @Test
  void grpcStreamComplete_stopSplitAcrossTwoTokens_nothingOfItReachesTheClient() {
    SplitStop split = splitStop();
    StringBuilder text = new StringBuilder();
    List<String> finish = new ArrayList<>();
    grpc.blocking()
        .streamComplete(greedy(32).addStop("never appears").addStop(split.stop()).build())
        .forEachRemaining(
            c -> {
              text.append(c.getChoices(0).getDelta().getContent());
              if (c.getChoices(0).hasFinishReason()) {
                finish.add(c.getChoices(0).getFinishReason());
              }
            });
    assertThat(text.toString()).isEqualTo(split.before());
    assertThat(finish).containsExactly("stop");
  }

  @Test
  void restChat_stopSplitAcrossTwoTokens_wholeAndStreamed() throws Exception {
    SplitStop split = splitStop();
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\""
            + PROMPT
            + "\"}],\"max_tokens\":32,\"temperature\":0,\"stop\":"
            + JSON.writeValueAsString(split.stop());
    JsonNode whole = rest.postJson("/v1/chat/completions", body + "}");
    assertThat(whole.at("/choices/0/message/content").asText()).isEqualTo(split.before());
    assertThat(whole.at("/choices/0/finish_reason").asText()).isEqualTo("stop");

    HttpResponse<InputStream> response =
        rest.postStreaming("/v1/chat/completions", body + ",\"stream\":true}");
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String event : readEvents(response.body(), 1000)) {
      if (event.equals("[DONE]")) {
        break;
      }
      JsonNode choice = JSON.readTree(event).at("/choices/0");
      text.append(choice.at("/delta/content").asText(""));
      if (!choice.path("finish_reason").isNull()) {
        finish = choice.path("finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo(split.before());
    assertThat(finish).isEqualTo("stop");
  }

  @Test
  void restChat_stopAsAnArrayOfStrings_theEarliestWins() throws Exception {
    String greedyText = String.join("", greedyPieces());
    String word = greedyText.trim().split("\\s+")[1];
    JsonNode whole =
        rest.postJson(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + PROMPT
                + "\"}],\"max_tokens\":32,\"temperature\":0,\"stop\":[\"zzzz\","
                + JSON.writeValueAsString(word)
                + "]}");
    assertThat(whole.at("/choices/0/message/content").asText())
        .isEqualTo(greedyText.substring(0, greedyText.indexOf(word)));
    assertThat(whole.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void grpcComplete_n3_threeChoices_usageCountsAll() {
    CompleteResponse response =
        grpc.blocking().complete(greedy(8).setTemperature(1f).setSeed(7).setN(3).build());
    assertThat(response.getChoicesList()).extracting(c -> c.getIndex()).containsExactly(0, 1, 2);
    response.getChoicesList().forEach(c -> assertThat(c.getMessage().getContent()).isNotEmpty());
    assertThat(response.getUsage().getCompletionTokens()).isBetween(3, 24);
    CompleteResponse one =
        grpc.blocking().complete(greedy(8).setTemperature(1f).setSeed(7).build());
    assertThat(response.getUsage().getPromptTokens()).isEqualTo(one.getUsage().getPromptTokens());
    // choice 0 of a seeded request is the same text as the request without n
    assertThat(response.getChoices(0).getMessage().getContent())
        .isEqualTo(one.getChoices(0).getMessage().getContent());
  }

  @Test
  void grpcStreamComplete_n3_everyChoiceStreamsAndFinishes() {
    Set<Integer> streamed = new HashSet<>();
    List<StreamChunk> last = new ArrayList<>();
    grpc.blocking()
        .streamComplete(greedy(6).setTemperature(1f).setSeed(3).setN(3).build())
        .forEachRemaining(
            c -> {
              if (c.hasUsage()) {
                last.add(c);
              } else {
                streamed.add(c.getChoices(0).getIndex());
              }
            });
    assertThat(streamed).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(last).hasSize(1);
    assertThat(last.get(0).getChoicesList())
        .extracting(c -> c.getFinishReason())
        .hasSize(3)
        .isSubsetOf("length", "stop");
  }

  @Test
  void restChat_n3_streamed_threeIndexes_threeFinishReasons_usageApartWhenAsked() throws Exception {
    HttpResponse<InputStream> response =
        rest.postStreaming(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":5,\"n\":3,"
                + "\"temperature\":1,\"seed\":4,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
    Set<Integer> indexes = new HashSet<>();
    List<JsonNode> finishes = new ArrayList<>();
    JsonNode usage = null;
    for (String event : readEvents(response.body(), 1000)) {
      if (event.equals("[DONE]")) {
        break;
      }
      JsonNode chunk = JSON.readTree(event);
      if (chunk.has("usage")) {
        assertThat(chunk.get("choices")).isEmpty();
        usage = chunk.get("usage");
        continue;
      }
      for (JsonNode choice : chunk.get("choices")) {
        indexes.add(choice.get("index").asInt());
        if (!choice.get("finish_reason").isNull()) {
          finishes.add(choice.get("finish_reason"));
        }
      }
    }
    assertThat(indexes).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(finishes).hasSize(3);
    assertThat(usage).isNotNull();
    assertThat(usage.get("completion_tokens").asInt()).isBetween(3, 15);
  }

  @Test
  void grpcChat_perMessageModelMaxTokensAndSampling_boundTheReply() throws Exception {
    var replies = new ArrayList<ChatMessage>();
    var done = new java.util.concurrent.CompletableFuture<Void>();
    var in =
        grpc.async()
            .chat(
                new io.grpc.stub.StreamObserver<>() {
                  @Override
                  public void onNext(ChatMessage value) {
                    replies.add(value);
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
    in.onNext(
        ChatMessage.newBuilder()
            .setRole("user")
            .setContent(PROMPT)
            .setModel("tiny")
            .setMaxTokens(3)
            .setSampling(SamplingOptions.newBuilder().setTemperature(0))
            .build());
    in.onCompleted();
    done.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).getModel()).isEqualTo("tiny");
    String greedyText = String.join("", greedyPieces());
    // three greedy tokens: the start of the same greedy answer Complete gives
    assertThat(greedyText).startsWith(replies.get(0).getContent());
    assertThat(replies.get(0).getContent().length()).isLessThan(greedyText.length());
  }

  static Stream<Arguments> rejectedByAnEngineWithoutFeatures() {
    return Stream.of(
        Arguments.of("\"top_k\":5", "top_k", "model 'tiny' does not support top-k"),
        Arguments.of("\"min_p\":0.1", "min_p", "does not support min-p"),
        Arguments.of("\"repeat_penalty\":1.3", "repetition_penalty", "does not support"),
        Arguments.of("\"presence_penalty\":0.5", "presence_penalty", "does not support"),
        Arguments.of("\"frequency_penalty\":0.5", "frequency_penalty", "does not support"),
        Arguments.of("\"logprobs\":true", "logprobs", "does not support log-probabilities"),
        Arguments.of(
            "\"response_format\":{\"type\":\"json_object\"}", "response_format", "grammar"),
        Arguments.of(
            "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                + "\"schema\":{\"type\":\"object\"},\"strict\":true}}",
            "response_format.json_schema",
            "grammar"),
        Arguments.of("\"grammar\":\"root ::= \\\"a\\\"\"", "grammar", "grammar"),
        Arguments.of(
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]",
            "tools",
            "does not support tool calls"),
        Arguments.of("\"frobnicate\":1", "frobnicate", "frobnicate: not supported by inferd"),
        Arguments.of("\"logit_bias\":{\"5\":10}", "logit_bias", "logit_bias"),
        Arguments.of("\"store\":true", "store", "store"),
        Arguments.of("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop", "at most 4"),
        Arguments.of("\"stop\":[\"\"]", "stop[0]", "a non-empty string"),
        Arguments.of("\"stop\":7", "stop", "a string or an array"),
        Arguments.of("\"n\":0", "n", "n: 0 (expected: 1 to 16)"),
        Arguments.of("\"top_logprobs\":3", "top_logprobs", "logprobs set to true"),
        Arguments.of("\"stream_options\":{\"include_usage\":true}", "stream_options", "stream"),
        Arguments.of("\"tool_choice\":\"required\"", "tool_choice", "tools to choose from"),
        Arguments.of(
            "\"response_format\":{\"type\":\"xml\"}", "response_format.type", "'json_schema'"));
  }

  @ParameterizedTest
  @MethodSource("rejectedByAnEngineWithoutFeatures")
  void restChat_aParameterTheEngineCannotHonour_is400NamingIt(
      String field, String param, String message) throws Exception {
    JsonNode error =
        assertError(
            plainRest.post(
                "/v1/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                    + field
                    + "}"),
            400,
            "invalid_request_error",
            message);
    assertThat(error.get("param").asText()).isEqualTo(param);
  }

  static Stream<Arguments> rejectedByCompletions() {
    return Stream.of(
        Arguments.of("\"prompt\":\"x\",\"echo\":true", "echo", "does not echo"),
        Arguments.of("\"prompt\":\"x\",\"suffix\":\"y\"", "suffix", "does not insert"),
        Arguments.of("\"prompt\":\"x\",\"best_of\":3", "best_of", "equal to n"),
        Arguments.of("\"prompt\":\"x\",\"logprobs\":6", "logprobs", "0 to 5"),
        Arguments.of("\"prompt\":[1,2]", "prompt[0]", "token arrays are not supported"),
        Arguments.of("\"prompt\":\"x\",\"messages\":[]", "messages", "not supported by inferd"),
        Arguments.of("\"max_tokens\":3", "prompt", "a string or an array of strings"),
        // a conversation-only engine (as a remote one) cannot take a raw prompt
        Arguments.of("\"prompt\":\"x\"", "prompt", "takes conversations only"));
  }

  @ParameterizedTest
  @MethodSource("rejectedByCompletions")
  void restCompletions_whatItCannotDo_is400NamingTheParameter(
      String fields, String param, String message) throws Exception {
    JsonNode error =
        assertError(
            plainRest.post("/v1/completions", "{" + fields + "}"),
            400,
            "invalid_request_error",
            message);
    assertThat(error.get("param").asText()).isEqualTo(param);
  }

  @Test
  void tokenizeEndpoints_onAnEngineThatCannot_andUnknownFields_are400() throws Exception {
    assertError(
        plainRest.post("/tokenize", "{\"content\":\"x\"}"),
        400,
        "invalid_request_error",
        "cannot tokenize");
    assertError(
        plainRest.post("/tokenize", "{\"content\":\"x\",\"parse_special\":true}"),
        400,
        "invalid_request_error",
        "parse_special: not supported");
    assertError(
        plainRest.post("/detokenize", "{\"tokens\":[\"a\"]}"),
        400,
        "invalid_request_error",
        "tokens[0]");
  }

  @Test
  void restChat_neutralValuesAndFieldsThatChangeNothing_areAcceptedOnEveryEngine()
      throws Exception {
    JsonNode ok =
        plainRest.postJson(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"developer\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2,\"top_k\":0,"
                + "\"presence_penalty\":0,\"frequency_penalty\":0,\"repeat_penalty\":1,"
                + "\"min_p\":0,\"user\":\"u1\",\"metadata\":{\"a\":\"b\"},\"store\":false,"
                + "\"logprobs\":false,\"response_format\":{\"type\":\"text\"},\"n\":1}");
    assertThat(ok.at("/choices/0/message/content").asText()).isNotNull();
  }

  static Stream<Arguments> rejectedOnGrpc() {
    return Stream.of(
        Arguments.of((Consumer<CompleteRequest.Builder>) b -> b.setTopK(5), "top_k"),
        Arguments.of((Consumer<CompleteRequest.Builder>) b -> b.setMinP(0.2f), "min_p"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setRepetitionPenalty(1.2f),
            "repetition_penalty"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setPresencePenalty(1f), "presence_penalty"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setFrequencyPenalty(1f),
            "frequency_penalty"),
        Arguments.of((Consumer<CompleteRequest.Builder>) b -> b.setLogprobs(true), "logprobs"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setJsonSchema("{\"type\":\"object\"}"),
            "response_format.json_schema"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setJsonObject(true), "response_format"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setGrammar("root ::= \"a\""), "grammar"),
        Arguments.of((Consumer<CompleteRequest.Builder>) b -> b.setN(17), "n: 17"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.addStop("a").addStop(""), "stop[1]"),
        Arguments.of(
            (Consumer<CompleteRequest.Builder>) b -> b.setLogprobs(true).setTopLogprobs(21),
            "top_logprobs: 21 (expected: 0 to 20)"));
  }

  @ParameterizedTest
  @MethodSource("rejectedOnGrpc")
  void grpcComplete_aFieldTheEngineCannotHonour_isInvalidArgumentNamingIt(
      Consumer<CompleteRequest.Builder> field, String message) {
    CompleteRequest.Builder request = greedy(4);
    field.accept(request);
    assertThatThrownBy(() -> plainGrpc.blocking().complete(request.build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith(message);
            });
  }

  @Test
  void grpcTokenize_onAnEngineThatCannot_isInvalidArgument() {
    assertThatThrownBy(
            () ->
                plainGrpc
                    .blocking()
                    .tokenize(io.inferd.api.v1.TokenizeRequest.newBuilder().setText("x").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("cannot tokenize");
            });
  }

  /** An engine that honours nothing beyond temperature, top_p and seed, as a remote one. */
  static final class NoFeatures implements TextGenerator {
    private final TextGenerator real;

    NoFeatures(TextGenerator real) {
      this.real = real;
    }

    @Override
    public int contextLength() {
      return real.contextLength();
    }

    @Override
    public int parallelism() {
      return real.parallelism();
    }

    @Override
    public Prompt render(List<Turn> conversation) {
      return real.render(conversation);
    }

    @Override
    public Generation generate(GenerationRequest request, TokenSink sink) {
      return real.generate(request, sink);
    }

    @Override
    public void close() {}
  }
}
