package io.inferd.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Context;
import io.inferd.engine.Embedder;
import io.inferd.engine.Engines;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.ModelSpec;
import io.inferd.engine.Prompt;
import io.inferd.engine.Sampling;
import io.inferd.engine.Turn;
import java.net.URI;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI HTTP upstream engine against a fake server on 127.0.0.1: wire format and failures. */
class OpenAiUpstreamGeneratorTest {
  private FakeOpenAiServer server;
  private OpenAiUpstreamGenerator generator;
  private OpenAiUpstreamEmbedder embedder;

  @AfterEach
  void close() {
    if (generator != null) {
      generator.close();
    }
    if (embedder != null) {
      embedder.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(String apiKey) throws Exception {
    server = new FakeOpenAiServer();
    generator =
        OpenAiUpstreamGenerator.connect(
            List.of(server.baseUrl()),
            "upstream-model",
            apiKey,
            2,
            UpstreamPool.Settings.defaults());
  }

  private GenerationRequest request(OptionalLong deadline) {
    Prompt prompt = generator.render(List.of(Turn.system("be brief"), Turn.user("the cat")));
    return new GenerationRequest(prompt, 7, new Sampling(0.5f, 0.9f, OptionalInt.of(42)), deadline);
  }

  @Test
  void generate_sendsAStreamingChatRequest_andForwardsEachToken() throws Exception {
    start("sk-upstream");
    List<String> tokens = new CopyOnWriteArrayList<>();

    Generation g = generator.generate(request(OptionalLong.empty()), tokens::add);

    assertThat(tokens).containsExactly("Once", " upon", " a");
    assertThat(g.text()).isEqualTo("Once upon a");
    assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    // usage from the separate chunk OpenAI sends for stream_options.include_usage
    assertThat(g.promptTokens()).isEqualTo(11);
    assertThat(g.completionTokens()).isEqualTo(3);

    var received = server.received.get(0);
    JsonNode body = UpstreamFailures.JSON.readTree(received.body());
    assertThat(body.path("model").asText()).isEqualTo("upstream-model");
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(7);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(body.path("top_p").floatValue()).isEqualTo(0.9f);
    assertThat(body.path("seed").asInt()).isEqualTo(42);
    assertThat(body.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"the"
                + " cat\"}]");
    assertThat(received.headers().getFirst("Authorization")).isEqualTo("Bearer sk-upstream");
    assertThat(received.headers().getFirst("X-request-id")).matches("req-[0-9a-f]{24}");
  }

  @Test
  void generate_forwardsTheCallersRequestId_takenWhenThePromptWasRendered() throws Exception {
    start(null);
    Prompt prompt =
        Context.current()
            .withValue(RequestIds.CONTEXT_KEY, "trace-abc-123")
            .call(() -> generator.render(List.of(Turn.user("hi"))));

    generator.generate(new GenerationRequest(prompt, 4, Sampling.greedy()), t -> true);
    generator.generate(request(OptionalLong.empty()), t -> true); // a prompt without one

    assertThat(server.received.get(0).headers().getFirst("X-request-id"))
        .isEqualTo("trace-abc-123");
    assertThat(server.received.get(1).headers().getFirst("X-request-id")).startsWith("req-");
    assertThat(server.received.get(0).headers().containsKey("Authorization")).isFalse();
    assertThat(RequestIds.orNew("bad id with spaces")).startsWith("req-");
  }

  @Test
  void sinkSaysStop_closesTheConnection_soTheUpstreamSeesItAtItsNextWrite() throws Exception {
    start(null);
    server.chat = FakeOpenAiServer.Chat.ENDLESS;
    List<String> tokens = new CopyOnWriteArrayList<>();

    Generation g =
        generator.generate(request(OptionalLong.empty()), t -> tokens.add(t) && tokens.size() < 3);

    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(g.completionTokens()).isEqualTo(3);
    assertThat(server.clientLeft.await(5, TimeUnit.SECONDS))
        .as("upstream saw the disconnect")
        .isTrue();
    assertThat(server.endlessTokensWritten.get()).isLessThan(100); // of 500
    assertThat(generator.pool().endpoints().get(0).outstanding()).isZero();
  }

  @Test
  void deadline_boundsTheWaitForAnAnswer_andFailsWithDeadlineExceeded() throws Exception {
    start(null);
    server.chat = FakeOpenAiServer.Chat.SILENT;
    long start = System.nanoTime();
    OptionalLong deadline = OptionalLong.of(start + TimeUnit.MILLISECONDS.toNanos(300));

    assertThatThrownBy(() -> generator.generate(request(deadline), t -> true))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.DEADLINE_EXCEEDED));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMillis).isBetween(250L, 5000L);
    assertThat(generator.pool().endpoints().get(0).ejected())
        .as("a slow answer is no fault")
        .isFalse();
  }

  @Test
  void deadline_midStream_closesTheConnection() throws Exception {
    start(null);
    server.chat = FakeOpenAiServer.Chat.ENDLESS;
    OptionalLong deadline = OptionalLong.of(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    List<String> tokens = new CopyOnWriteArrayList<>();

    assertThatThrownBy(() -> generator.generate(request(deadline), tokens::add))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.DEADLINE_EXCEEDED));

    assertThat(tokens).isNotEmpty();
    assertThat(server.clientLeft.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void upstreamRejection_becomesTheMatchingStatus_withTheUpstreamsMessage() throws Exception {
    start(null);
    server.chat = FakeOpenAiServer.Chat.FAIL_400;

    assertThatThrownBy(() -> generator.generate(request(OptionalLong.empty()), t -> true))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
              assertThat(e.getMessage())
                  .contains("answered 400", "max_tokens: -1 (expected: >= 0)");
            });
    assertThat(generator.pool().endpoints().get(0).ejected())
        .as("a 4xx is the request's fault")
        .isFalse();
  }

  @Test
  void errorEventMidStream_failsTheGeneration_withItsType() throws Exception {
    start(null);
    server.chat = FakeOpenAiServer.Chat.ERROR_EVENT;

    assertThatThrownBy(() -> generator.generate(request(OptionalLong.empty()), t -> true))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
              assertThat(e.getMessage()).contains("server busy");
            });
  }

  @Test
  void embeddings_comeBackInTheOrderOfTheTexts_normalised() throws Exception {
    server = new FakeOpenAiServer();
    server.embeddings =
        "{\"object\":\"list\",\"data\":["
            + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.0,3.0,4.0]},"
            + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[2.0,0.0,0.0]}],"
            + "\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}";
    embedder =
        OpenAiUpstreamEmbedder.connect(
            List.of(server.baseUrl()), "e", null, UpstreamPool.Settings.defaults());

    Embedder.Embeddings result = embedder.embed(List.of("first", "second"));

    assertThat(result.vectors().get(0)).containsExactly(1f, 0f, 0f);
    assertThat(result.vectors().get(1)).containsExactly(0f, 0.6f, 0.8f);
    assertThat(result.tokenCount()).isEqualTo(5);
    assertThat(embedder.dimension()).isEqualTo(3);
  }

  @Test
  void modelSpec_readsOpenAiUpstreamsWithSeveralUrls() {
    var engines = Engines.installed();
    ModelSpec spec = ModelSpec.parse("remote=openai+http://h1:8080/v1|http://h2:8080/v1/#llama-3");
    assertThat(spec.scheme()).isEqualTo("openai+http");
    assertThat(spec.isRemote()).isTrue();
    assertThat(OpenAiEngineProvider.urls("--model", spec))
        .containsExactly(URI.create("http://h1:8080/v1"), URI.create("http://h2:8080/v1/"));
    assertThat(spec.remoteModel()).isEqualTo("llama-3");
    assertThat(ModelSpec.parse("r=openai+https://api.example.com/v1").remoteModel()).isEmpty();
    engines.checkEmbedder(
        "--embedding-model", ModelSpec.parse("--embedding-model", "e=openai+http://h1/v1#bge"));

    assertThatThrownBy(() -> ModelSpec.parse("openai+http://h1:8080/v1"))
        .hasMessageContaining("a remote model needs a name");
    assertThatThrownBy(() -> engines.check("--model", ModelSpec.parse("r=openai+ftp://h1/v1")))
        .hasMessageContaining("no engine for 'openai+ftp://'");
    assertThatThrownBy(
            () -> engines.check("--model", ModelSpec.parse("r=openai+http://h1:8080/v1|#m")))
        .hasMessageContaining("--model r=");
    assertThatThrownBy(
            () ->
                engines.checkEmbedder(
                    "--embedding-model", ModelSpec.parse("--embedding-model", "e=grpc://h1:1#m")))
        .hasMessageContaining("--embedding-model")
        .hasMessageContaining("serve no embeddings");
  }

  @Test
  void sseParsing_joinsMultiLineData_andIgnoresCommentsAndOtherFields() throws Exception {
    byte[] stream =
        (": keep-alive\r\n"
                + "event: message\r\n"
                + "data: {\"a\":\r\n"
                + "data: 1}\r\n\r\n"
                + "id: 7\n"
                + "data:[DONE]\n\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(SseBody.parseAll(stream)).containsExactly("{\"a\":\n1}", "[DONE]");
  }
}
