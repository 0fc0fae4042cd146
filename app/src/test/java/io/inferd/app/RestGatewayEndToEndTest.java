package io.inferd.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.rest.RestGateway;
import io.inferd.server.telemetry.Telemetry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenAI-compatible REST gateway over real HTTP on 127.0.0.1, on the tiny GGUF model and
 * MiniLM.
 */
class RestGatewayEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private ObservedGenerator generator;
  private RunningGateway running;

  @BeforeEach
  void start() throws Exception {
    generator = ObservedGenerator.open(TestModels.tiny());
    running = RunningGateway.start(generator, 2, 4, ApiKeyStore.disabled());
  }

  @AfterEach
  void stop() {
    running.close();
  }

  static String ask(String prompt, String extra) {
    return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt
        + "\"}]"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  @Test
  void chatCompletion_returnsOneAssistantChoice_withUsageThatAddsUp() throws Exception {
    HttpResponse<String> response =
        running.post("/v1/chat/completions", ask("the cat", "\"max_tokens\":8"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("id").asText()).startsWith("cmpl-");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("created").asLong())
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(body.get("model").asText()).isEqualTo("tiny");
    assertThat(body.get("choices")).hasSize(1);
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText()).isNotEmpty();
    assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
    JsonNode usage = body.get("usage");
    assertThat(usage.get("prompt_tokens").asInt()).isPositive();
    assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 8);
    assertThat(usage.get("total_tokens").asInt())
        .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
  }

  @Test
  void chatCompletion_reachingMaxCompletionTokens_finishesWithLength() throws Exception {
    JsonNode body =
        running.postJson("/v1/chat/completions", ask("the cat", "\"max_completion_tokens\":3"));
    assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
    assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void chatCompletion_sameSeed_sameText() throws Exception {
    String request =
        ask("a dog", "\"temperature\":1.0,\"top_p\":0.9,\"seed\":11,\"max_tokens\":12");
    String first =
        running.postJson("/v1/chat/completions", request).at("/choices/0/message/content").asText();
    String second =
        running.postJson("/v1/chat/completions", request).at("/choices/0/message/content").asText();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void chatCompletion_appliesTheChatTemplate_takesTextParts_andIgnoresFieldsThatChangeNothing()
      throws Exception {
    HttpResponse<String> response =
        running.post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"system\",\"content\":\"be"
                + " brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"the"
                + " \"},{\"type\":\"text\",\"text\":\"cat\"}],\"name\":\"x\"}],"
                + "\"max_tokens\":2,\"user\":\"someone\",\"logit_bias\":{},\"stream_options\":null}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(generator.prompts.get(0))
        .contains("<|im_start|>system\nbe brief<|im_end|>")
        .contains("<|im_start|>user\nthe cat<|im_end|>")
        .endsWith("<|im_start|>assistant\n");
  }

  @Test
  void chatCompletionStream_roleFirst_onePerToken_usageOnlyLast_thenDone_sameTextAsWhole()
      throws Exception {
    String request = ask("the cat", "\"max_tokens\":10,\"stream\":true");
    HttpResponse<InputStream> response = running.postStreaming("/v1/chat/completions", request);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<String> events = readEvents(response.body(), Integer.MAX_VALUE);

    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String event : events.subList(0, events.size() - 1)) {
      chunks.add(JSON.readTree(event));
    }
    assertThat(chunks.size()).isGreaterThanOrEqualTo(2);
    assertThat(chunks)
        .allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
    assertThat(chunks)
        .allSatisfy(
            c -> assertThat(c.get("id").asText()).isEqualTo(chunks.get(0).get("id").asText()));
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    chunks
        .subList(1, chunks.size())
        .forEach(c -> assertThat(c.at("/choices/0/delta").has("role")).isFalse());
    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    List<JsonNode> content = chunks.subList(0, chunks.size() - 1);
    content.forEach(
        c -> {
          assertThat(c.has("usage")).isFalse();
          assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue();
        });
    assertThat(content).hasSize(last.at("/usage/completion_tokens").asInt());
    assertThat(last.at("/usage/total_tokens").asInt())
        .isEqualTo(
            last.at("/usage/prompt_tokens").asInt() + last.at("/usage/completion_tokens").asInt());
    StringBuilder text = new StringBuilder();
    content.forEach(c -> text.append(c.at("/choices/0/delta/content").asText()));

    String whole =
        running
            .postJson("/v1/chat/completions", ask("the cat", "\"max_tokens\":10"))
            .at("/choices/0/message/content")
            .asText();
    assertThat(text.toString()).isEqualTo(whole); // greedy: both forms produce the same answer
  }

  @Test
  void aClientAskingForHttp2_isAnsweredInHttp11_andStillStreams() throws Exception {
    // HTTP/1.1 on purpose: Helidon's HTTP/2 does not tell a handler that the client reset its
    // stream
    try (HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
      HttpResponse<String> health =
          h2.send(HttpRequest.newBuilder(running.uri("/health")).build(), BodyHandlers.ofString());
      assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      HttpResponse<InputStream> response =
          h2.send(
              HttpRequest.newBuilder(running.uri("/v1/chat/completions"))
                  .POST(BodyPublishers.ofString(ask("the cat", "\"max_tokens\":4,\"stream\":true")))
                  .build(),
              BodyHandlers.ofInputStream());
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      List<String> events = readEvents(response.body(), Integer.MAX_VALUE);
      assertThat(events).hasSize(4 + 1 + 1).last().isEqualTo("[DONE]");
    }
  }

  @Test
  void keepAlive_servesSeveralCallsOnOneConnection() throws Exception {
    var accessLog =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("inferd.access");
    accessLog.start();
    logger.addAppender(accessLog);
    try {
      running.postJson("/v1/chat/completions", ask("the cat", "\"max_tokens\":2"));
      running.postJson("/v1/embeddings", "{\"input\":\"x\"}");
      running.getJson("/v1/models");
      for (int i = 0; i < 100 && accessLog.list.size() < 3; i++) {
        Thread.sleep(10); // each record is written just after its answer
      }
      // one TCP connection for all three: the same peer address and port each time
      assertThat(
              accessLog.list.stream()
                  .map(e -> e.getFormattedMessage().replaceAll(".* peer=(\\S+).*", "$1"))
                  .distinct())
          .hasSize(1);
    } finally {
      logger.detachAppender(accessLog);
    }
  }

  @Test
  void embeddings_ofAStringAndOfAnArray_are384DimUnitVectorsInInputOrder() throws Exception {
    JsonNode one = running.postJson("/v1/embeddings", "{\"input\":\"API design patterns\"}");
    assertThat(one.get("object").asText()).isEqualTo("list");
    assertThat(one.get("model").asText()).isEqualTo("all-minilm-l6-v2");
    assertThat(one.get("data")).hasSize(1);
    assertThat(one.at("/data/0/object").asText()).isEqualTo("embedding");
    assertThat(one.at("/usage/prompt_tokens").asInt()).isPositive();
    assertThat(one.at("/usage/total_tokens").asInt())
        .isEqualTo(one.at("/usage/prompt_tokens").asInt());

    JsonNode many =
        running.postJson(
            "/v1/embeddings",
            "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"microservices\",\"API design"
                + " patterns\",\"serverless\"]}");
    assertThat(many.get("data")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode item = many.get("data").get(i);
      assertThat(item.get("index").asInt()).isEqualTo(i);
      float[] vector = floats(item.get("embedding"));
      assertThat(vector).hasSize(384);
      assertThat(norm(vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }
    // the same text alone and inside a batch: the same vector
    float[] alone = floats(one.at("/data/0/embedding"));
    float[] inBatch = floats(many.at("/data/1/embedding"));
    for (int i = 0; i < alone.length; i++) {
      assertThat(inBatch[i]).isCloseTo(alone[i], org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void embeddings_inBase64_decodeToTheSameFloats() throws Exception {
    String input = "\"input\":[\"API design patterns\",\"serverless\"]";
    JsonNode floats =
        running.postJson("/v1/embeddings", "{" + input + ",\"encoding_format\":\"float\"}");
    JsonNode base64 =
        running.postJson("/v1/embeddings", "{" + input + ",\"encoding_format\":\"base64\"}");
    for (int i = 0; i < 2; i++) {
      byte[] bytes =
          Base64.getDecoder().decode(base64.get("data").get(i).get("embedding").asText());
      float[] decoded = new float[bytes.length / 4];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(decoded);
      assertThat(decoded).containsExactly(floats(floats.get("data").get(i).get("embedding")));
    }
  }

  @Test
  void models_listsEveryGenerationAndEmbeddingModel_withTheServerStartTime() throws Exception {
    JsonNode body = running.getJson("/v1/models");
    assertThat(body.get("object").asText()).isEqualTo("list");
    assertThat(body.get("data"))
        .extracting(m -> m.get("id").asText())
        .containsExactly("tiny", "all-minilm-l6-v2");
    assertThat(body.get("data"))
        .allSatisfy(
            m -> {
              assertThat(m.get("object").asText()).isEqualTo("model");
              assertThat(m.get("owned_by").asText()).isEqualTo("inferd");
              assertThat(m.get("created").asLong())
                  .isCloseTo(
                      System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            });
    assertThat(running.getJson("/v1/models/tiny").get("id").asText()).isEqualTo("tiny");
    assertError(running.get("/v1/models/gpt-4o"), 404, "not_found_error", "gpt-4o");
  }

  @Test
  void health_isServing() throws Exception {
    HttpResponse<String> response = running.get("/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("SERVING");
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        Arguments.of(
            ask("x", "\"max_tokens\":-5"), "max_tokens", "max_tokens: -5 (expected: >= 0)"),
        Arguments.of(
            ask("x", "\"temperature\":3"),
            "temperature",
            "temperature: 3.0 (expected: between 0 and 2)"),
        Arguments.of(ask("x", "\"top_p\":0"), "top_p", "top_p: 0.0"),
        Arguments.of(
            "{\"messages\":[]}", "messages", "messages: empty (expected: at least one message)"),
        Arguments.of(
            "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
            "messages[0].role",
            "messages[0].role: 'robot'"),
        Arguments.of(ask("x", "\"n\":17"), "n", "n: 17 (expected: 1 to 16)"),
        Arguments.of(
            ask("x", "\"seed\":99999999999"),
            "seed",
            "seed: 99999999999 (expected: an integer from"));
  }

  @ParameterizedTest
  @MethodSource("badFields")
  void aBadField_isBadRequest_withAMessageAndParamNamingIt(
      String body, String param, String message) throws Exception {
    HttpResponse<String> response = running.post("/v1/chat/completions", body);
    JsonNode error = assertError(response, 400, "invalid_request_error", message);
    assertThat(error.get("param").asText()).isEqualTo(param);
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        Arguments.of("/v1/chat/completions", "{\"messages\":5}", "messages: 5 (expected: an array"),
        Arguments.of(
            "/v1/chat/completions",
            "{\"messages\":[\"hi\"]}",
            "messages[0]: 'hi' (expected: an object"),
        Arguments.of(
            "/v1/chat/completions",
            ask("x", "\"temperature\":\"hot\""),
            "temperature: 'hot' (expected: a number)"),
        Arguments.of(
            "/v1/chat/completions",
            ask("x", "\"max_tokens\":2.5"),
            "max_tokens: 2.5 (expected: an integer)"),
        Arguments.of(
            "/v1/chat/completions",
            ask("x", "\"stream\":\"yes\""),
            "stream: 'yes' (expected: true or false)"),
        Arguments.of(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
            "messages[0].content[0].type: 'image_url'"),
        Arguments.of(
            "/v1/embeddings",
            "{\"input\":5}",
            "input: 5 (expected: a string or an array of strings)"),
        Arguments.of(
            "/v1/embeddings",
            "{\"input\":[[1,2]]}",
            "input[0]: an array (expected: a string; token arrays"),
        Arguments.of(
            "/v1/embeddings",
            "{\"input\":\"x\",\"encoding_format\":\"int8\"}",
            "encoding_format: 'int8' (expected: 'float' or 'base64')"),
        Arguments.of(
            "/v1/embeddings",
            "{\"input\":\"x\",\"dimensions\":256}",
            "dimensions: 256 (expected: 384"));
  }

  @ParameterizedTest
  @MethodSource("wrongTypes")
  void aWrongJsonType_isBadRequest_namingTheField(String path, String body, String message)
      throws Exception {
    assertError(running.post(path, body), 400, "invalid_request_error", message);
  }

  @Test
  void malformedJson_emptyBody_aNonObject_andInvalidUtf8_areBadRequests_sayingWhy()
      throws Exception {
    assertError(
        running.post("/v1/chat/completions", "{\"messages\": [}"),
        400,
        "invalid_request_error",
        "request body: not valid JSON");
    assertError(
        running.post("/v1/chat/completions", "{} {}"),
        400,
        "invalid_request_error",
        "request body: not valid JSON");
    assertError(
        running.post("/v1/chat/completions", ""),
        400,
        "invalid_request_error",
        "request body: empty (expected: a JSON object)");
    assertError(
        running.post("/v1/embeddings", "[\"x\"]"),
        400,
        "invalid_request_error",
        "request body: an array (expected: a JSON object)");
    byte[] latin1 =
        "{\"input\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertError(
        running.post("/v1/embeddings", latin1),
        400,
        "invalid_request_error",
        "request body: not valid UTF-8 at byte 13");
  }

  @Test
  void aRequestOverAServerLimit_isPayloadTooLarge_namingTheLimitAndItsOption() throws Exception {
    HttpResponse<String> response =
        running.post("/v1/chat/completions", ask("x", "\"max_tokens\":5000"));
    JsonNode error =
        assertError(response, 413, "invalid_request_error", "exceeds this server's limit of 4096");
    assertThat(error.get("message").asText()).contains("--max-tokens-limit");
    assertThat(error.get("code").asText()).isEqualTo("limit_exceeded");
    assertThat(error.get("param").asText()).isEqualTo("max_tokens");
  }

  @Test
  void unknownModel_isNotFound_withModelNotFoundCode_namingTheLoadedModels() throws Exception {
    JsonNode chat =
        assertError(
            running.post("/v1/chat/completions", ask("x", "").replace("tiny", "gpt-4o")),
            404,
            "not_found_error",
            "'gpt-4o'");
    assertThat(chat.get("code").asText()).isEqualTo("model_not_found");
    assertThat(chat.get("param").asText()).isEqualTo("model");
    assertThat(chat.get("message").asText()).contains("tiny");
    JsonNode embed =
        assertError(
            running.post(
                "/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}"),
            404,
            "not_found_error",
            "all-minilm-l6-v2");
    assertThat(embed.get("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void unknownPath_isNotFound_andAWrongMethod_isMethodNotAllowed() throws Exception {
    assertError(running.get("/v1/nothing"), 404, "not_found_error", "/v1/nothing");
    HttpResponse<String> wrongMethod = running.get("/v1/chat/completions");
    assertError(wrongMethod, 405, "invalid_request_error", "expected: POST");
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void anEngineFailure_isInternalServerError_beforeTheFirstToken_andAnErrorEventAfterIt()
      throws Exception {
    try (RunningGateway broken =
        RunningGateway.start(new FailingGenerator(0), 1, 1, ApiKeyStore.disabled())) {
      assertError(
          broken.post("/v1/chat/completions", ask("the cat", "")),
          500,
          "server_error",
          "internal error: IllegalStateException");
      assertError(
          broken.post("/v1/chat/completions", ask("the cat", "\"stream\":true")),
          500,
          "server_error",
          "internal error");
    }
    try (RunningGateway broken =
        RunningGateway.start(new FailingGenerator(1), 1, 1, ApiKeyStore.disabled())) {
      HttpResponse<InputStream> response =
          broken.postStreaming("/v1/chat/completions", ask("the cat", "\"stream\":true"));
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = readEvents(response.body(), Integer.MAX_VALUE);
      assertThat(events).hasSize(2);
      assertThat(JSON.readTree(events.get(0)).at("/choices/0/delta/content").asText())
          .isEqualTo("x");
      JsonNode error = JSON.readTree(events.get(1)).get("error");
      assertThat(error.get("type").asText()).isEqualTo("server_error");
      assertThat(error.get("message").asText())
          .isEqualTo("internal error: IllegalStateException"); // no details
    }
  }

  @Test
  void startingOnAPortInUse_throwsBindException() {
    RestGateway second = new RestGateway(running.core, ApiKeyStore.disabled(), running.telemetry);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> second.start("127.0.0.1", running.gateway.port()))
        .isInstanceOf(java.net.BindException.class);
  }

  /** Renders like the tiny model, then emits {@code tokens} tokens and fails. */
  private record FailingGenerator(int tokens) implements TextGenerator {
    @Override
    public int contextLength() {
      return TestModels.tiny().contextLength();
    }

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public Prompt render(List<Turn> conversation) {
      return TestModels.tiny().render(conversation);
    }

    @Override
    public Generation generate(GenerationRequest request, TokenSink sink) {
      for (int i = 0; i < tokens; i++) {
        sink.onToken("x");
      }
      throw new IllegalStateException("the engine broke: secret detail");
    }

    @Override
    public void close() {}
  }

  /** Asserts an OpenAI-style error body and returns its "error" object. */
  static JsonNode assertError(
      HttpResponse<String> response, int status, String type, String messagePart)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("message").asText()).contains(messagePart);
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    return error;
  }

  /** Reads server-sent events' data until the stream ends or {@code max} events were read. */
  static List<String> readEvents(InputStream body, int max) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, UTF_8));
    List<String> events = new ArrayList<>();
    String line;
    while (events.size() < max && (line = reader.readLine()) != null) {
      if (line.startsWith("data: ")) {
        events.add(line.substring("data: ".length()));
      } else {
        assertThat(line).as("SSE lines are data or blank").isEmpty();
      }
    }
    return events;
  }

  static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).floatValue();
    }
    return values;
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }

  /**
   * The production wiring of the REST gateway at 127.0.0.1:0 over a fresh core, and a client for
   * it.
   */
  static final class RunningGateway implements AutoCloseable {
    final Inferd inferd;
    final InferenceCore core;
    final Telemetry telemetry;
    final RestGateway gateway;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private RunningGateway(Inferd inferd) {
      this.inferd = inferd;
      this.core = inferd.core();
      this.telemetry = inferd.telemetry();
      this.gateway = inferd.rest();
    }

    static RunningGateway start(TextGenerator generator, int slots, int queue, ApiKeyStore keys)
        throws IOException {
      return new RunningGateway(
          Inferd.start(
              RunningServer.testConfig().parallel(slots).queue(queue).keys(keys).build(),
              RunningServer.withEmbedder(generator)));
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    HttpRequest.Builder request(String path, String... headers) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
      if (headers.length > 0) {
        request.headers(headers);
      }
      return request;
    }

    HttpResponse<String> post(String path, String body, String... headers) {
      return post(path, body.getBytes(UTF_8), headers);
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) {
      return send(
          request(path, headers)
              .header("content-type", "application/json")
              .POST(BodyPublishers.ofByteArray(body))
              .build(),
          BodyHandlers.ofString());
    }

    HttpResponse<InputStream> postStreaming(String path, String body, String... headers) {
      return send(
          request(path, headers)
              .header("content-type", "application/json")
              .POST(BodyPublishers.ofString(body))
              .build(),
          BodyHandlers.ofInputStream());
    }

    HttpResponse<String> get(String path, String... headers) {
      return send(request(path, headers).GET().build(), BodyHandlers.ofString());
    }

    JsonNode postJson(String path, String body) throws IOException {
      HttpResponse<String> response = post(path, body);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }

    JsonNode getJson(String path) throws IOException {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
      try {
        return http.send(request, handler);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      http.close();
      inferd.stop(Duration.ofSeconds(1));
    }
  }
}
