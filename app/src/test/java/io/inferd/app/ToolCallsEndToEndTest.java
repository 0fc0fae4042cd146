package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.assertError;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Tool;
import io.inferd.api.v1.ToolCall;
import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.engine.Prompt;
import io.inferd.engine.Role;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.testing.TinyGguf;
import io.inferd.server.auth.ApiKeyStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tool calls on REST and gRPC, end to end on tiny random-weight models whose GGUF carries a real
 * chat template that renders tools: Qwen 2.5's (calls in {@code <tool_call>} tags) and Llama 3.2's
 * (bare JSON). A random model writes nothing sensible, so a forced call that comes back as a valid
 * call with arguments that validate against the tool's schema shows the grammar at work, not the
 * model.
 */
class ToolCallsEndToEndTest {
  static final String WEATHER_SCHEMA =
      "{\"type\":\"object\",\"properties\":{"
          + "\"city\":{\"type\":\"string\",\"enum\":[\"Paris\",\"Rome\",\"Zürich\"]},"
          + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7},"
          + "\"unit\":{\"enum\":[\"celsius\",\"fahrenheit\"]}},"
          + "\"required\":[\"city\",\"days\"],\"additionalProperties\":false}";
  static final String TIME_SCHEMA =
      "{\"type\":\"object\",\"properties\":{"
          + "\"zone\":{\"enum\":[\"UTC\",\"CET\",\"JST\"]},\"seconds\":{\"type\":\"boolean\"}},"
          + "\"required\":[\"zone\"],\"additionalProperties\":false}";
  static final String TOOLS =
      "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"description\":\"Weather forecast for a city\",\"parameters\":"
          + WEATHER_SCHEMA
          + "}},{\"type\":\"function\",\"function\":{\"name\":\"get_time\","
          + "\"description\":\"The time in a zone\",\"parameters\":"
          + TIME_SCHEMA
          + "}}]";
  static final Map<String, JsonSchema> SCHEMAS =
      Map.of(
          "get_weather", schema(WEATHER_SCHEMA),
          "get_time", schema(TIME_SCHEMA));

  static LlamaGenerator qwen;
  static LlamaGenerator llama;
  static RunningGateway qwenRest;
  static RunningGateway llamaRest;
  static RunningGateway noToolsRest;
  static RunningServer qwenGrpc;
  static RunningServer noToolsGrpc;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("inferd-tool-models");
    dir.toFile().deleteOnExit();
    qwen = load(dir, "qwen2.5");
    llama = load(dir, "llama-3.2");
    qwenRest = RunningGateway.start(qwen, 2, 8, ApiKeyStore.disabled());
    llamaRest = RunningGateway.start(llama, 2, 8, ApiKeyStore.disabled());
    noToolsRest = RunningGateway.start(TestModels.tiny(), 2, 8, ApiKeyStore.disabled());
    qwenGrpc = RunningServer.start(qwen, 2, 8);
    noToolsGrpc = RunningServer.start(TestModels.tiny(), 2, 8);
  }

  private static LlamaGenerator load(Path dir, String template) throws IOException {
    String source;
    try (InputStream in =
        ToolCallsEndToEndTest.class.getResourceAsStream("/templates/" + template + ".jinja")) {
      source = new String(in.readAllBytes(), UTF_8);
    }
    Path file =
        TinyGguf.builder()
            .chatTemplate(source)
            .contextLength(4096)
            .write(dir.resolve(template + ".gguf"));
    file.toFile().deleteOnExit();
    return LlamaGenerator.load(file, new LlamaOptions(2, 2, 4096));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c :
        new AutoCloseable[] {
          qwenRest, llamaRest, noToolsRest, qwenGrpc, noToolsGrpc, qwen, llama
        }) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static JsonSchema schema(String text) {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(text);
  }

  private static String request(String extra) {
    return "{\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}],"
        + "\"max_tokens\":400,\"tools\":"
        + TOOLS
        + ","
        + extra
        + "}";
  }

  private static Gateway rest(String template) {
    return new Gateway(template.equals("qwen2.5") ? qwenRest : llamaRest);
  }

  /**
   * Posts with more patience than the shared helper: a forced call may write a hundred tokens and
   * more, and the test machine may be busy.
   */
  record Gateway(RunningGateway rest) {
    static final HttpClient HTTP =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    JsonNode postJson(String path, String body) throws Exception {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(rest.uri(path))
                  .timeout(Duration.ofMinutes(2))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }
  }

  /** Checks one call of OpenAI's shape and returns its arguments. */
  private static JsonNode assertValidCall(JsonNode call, String expectedName) throws IOException {
    assertThat(call.path("id").asText()).matches("call_[0-9a-f]{24}");
    assertThat(call.path("type").asText()).isEqualTo("function");
    String name = call.at("/function/name").asText();
    if (expectedName != null) {
      assertThat(name).isEqualTo(expectedName);
    }
    assertThat(SCHEMAS).containsKey(name);
    JsonNode argumentsText = call.at("/function/arguments");
    assertThat(argumentsText.isTextual()).as("arguments are a JSON string").isTrue();
    JsonNode arguments = JSON.readTree(argumentsText.asText());
    assertThat(arguments.isObject()).as(argumentsText.asText()).isTrue();
    assertThat(SCHEMAS.get(name).validate(arguments)).as(argumentsText.asText()).isEmpty();
    return arguments;
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2.5", "llama-3.2"})
  void toolChoiceRequired_randomWeights_alwaysAValidCallToAKnownTool(String template)
      throws Exception {
    for (int seed = 0; seed < 3; seed++) {
      JsonNode body =
          rest(template)
              .postJson(
                  "/v1/chat/completions",
                  request(
                      "\"tool_choice\":\"required\",\"parallel_tool_calls\":false,"
                          + "\"temperature\":1,\"seed\":"
                          + seed));
      JsonNode choice = body.at("/choices/0");
      assertThat(choice.path("finish_reason").asText()).as(body.toString()).isEqualTo("tool_calls");
      assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
      assertThat(choice.at("/message/content").isNull()).as(body.toString()).isTrue();
      assertThat(choice.at("/message/tool_calls")).hasSize(1);
      assertValidCall(choice.at("/message/tool_calls/0"), null);
      assertThat(body.at("/usage/completion_tokens").asInt()).isPositive();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2.5", "llama-3.2"})
  void namedFunction_isTheOneCalled_withValidArguments(String template) throws Exception {
    for (String name : List.of("get_time", "get_weather")) {
      JsonNode body =
          rest(template)
              .postJson(
                  "/v1/chat/completions",
                  request(
                      "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\""
                          + name
                          + "\"}},\"max_completion_tokens\":1500,\"temperature\":1,\"seed\":3"));
      assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
      JsonNode calls = body.at("/choices/0/message/tool_calls");
      assertThat(calls.size()).isBetween(1, 8); // parallel calls are allowed unless turned off
      for (JsonNode call : calls) {
        assertValidCall(call, name);
      }
    }
  }

  @Test
  void streamed_forcedCall_comesAsOneToolCallsDelta_sameCallAsWhole_finishReasonToolCalls()
      throws Exception {
    String body =
        request(
            "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
                + "\"parallel_tool_calls\":false,\"temperature\":0");
    JsonNode whole = rest("qwen2.5").postJson("/v1/chat/completions", body);
    JsonNode expected = whole.at("/choices/0/message/tool_calls/0");

    HttpResponse<InputStream> response =
        qwenRest.postStreaming(
            "/v1/chat/completions", body.substring(0, body.length() - 1) + ",\"stream\":true}");
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> chunks = new ArrayList<>();
    boolean done = false;
    for (String event : readEvents(response.body(), 10_000)) {
      if (event.equals("[DONE]")) {
        done = true;
        break;
      }
      chunks.add(JSON.readTree(event));
    }
    assertThat(done).isTrue();
    List<JsonNode> callDeltas = new ArrayList<>();
    List<String> finishes = new ArrayList<>();
    StringBuilder content = new StringBuilder();
    for (JsonNode chunk : chunks) {
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      JsonNode choice = chunk.at("/choices/0");
      content.append(choice.at("/delta/content").asText(""));
      if (choice.at("/delta").has("tool_calls")) {
        callDeltas.add(choice.at("/delta/tool_calls"));
      }
      if (!choice.path("finish_reason").isNull()) {
        finishes.add(choice.path("finish_reason").asText());
      }
    }
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(content.toString()).as("no call text leaks as content").isEmpty();
    assertThat(finishes).containsExactly("tool_calls");
    assertThat(callDeltas).hasSize(1);
    JsonNode call = callDeltas.get(0).get(0);
    assertThat(callDeltas.get(0)).hasSize(1);
    assertThat(call.path("index").asInt()).isZero();
    assertValidCall(call, "get_weather");
    // greedy: the stream's call is the whole answer's, but a fresh id
    assertThat(call.path("function")).isEqualTo(expected.path("function"));
    assertThat(call.path("id").asText()).isNotEqualTo(expected.path("id").asText());
  }

  @Test
  void assistantToolCallsAndToolResults_areRenderedThroughTheTemplate() throws Exception {
    String arguments = "{\"city\":\"Paris\",\"days\":2}";
    List<Turn> turns =
        List.of(
            Turn.user("What is the weather in Paris?"),
            new Turn(
                Role.ASSISTANT,
                "",
                List.of(new Turn.ToolCall("call_1", "get_weather", arguments)),
                ""),
            new Turn(Role.TOOL, "{\"temp_c\": 18}", List.of(), "call_1"));
    Prompt prompt =
        qwen.render(
            turns,
            List.of(
                new ToolDefinition("get_weather", "Weather forecast for a city", WEATHER_SCHEMA),
                new ToolDefinition("get_time", "The time in a zone", TIME_SCHEMA)));
    // Qwen's template writes arguments with tojson: they went in as an object, not as a string
    assertThat(prompt.text())
        .contains(
            "<|im_start|>assistant\n<tool_call>\n"
                + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n"
                + "</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n{\"temp_c\": 18}\n</tool_response><|im_end|>")
        .endsWith("<|im_start|>assistant\n");

    JsonNode body =
        qwenRest.postJson(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                + JSON.writeValueAsString(arguments)
                + "}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":"
                + "\"{\\\"temp_c\\\": 18}\"}],\"max_tokens\":4,\"tools\":"
                + TOOLS
                + ",\"tool_choice\":\"none\"}");
    // tool_choice none leaves the tools out of the prompt, the calls and results stay in
    Prompt withoutTools = qwen.render(turns);
    assertThat(withoutTools.text()).contains("<tool_response>\n{\"temp_c\": 18}\n</tool_response>");
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(withoutTools.tokenCount());
    assertThat(body.at("/choices/0/message").has("tool_calls")).isFalse();
    assertThat(body.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
  }

  @Test
  void auto_promptCarriesTheTools_andARandomModelsTextComesBackAsText() throws Exception {
    JsonNode body =
        rest("qwen2.5")
            .postJson(
                "/v1/chat/completions", request("\"max_completion_tokens\":6,\"temperature\":0"));
    Prompt prompt =
        qwen.render(
            List.of(Turn.user("What is the weather in Paris?")),
            List.of(
                new ToolDefinition("get_weather", "Weather forecast for a city", WEATHER_SCHEMA),
                new ToolDefinition("get_time", "The time in a zone", TIME_SCHEMA)));
    assertThat(prompt.text()).contains("<tools>\n{\"type\": \"function\"");
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.tokenCount());
    // six random tokens are no <tool_call> block: they are the content, as generated
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(body.at("/choices/0/message/content").asText()).isNotEmpty();
  }

  @Test
  void tools_onAModelWhoseTemplateHasNoToolSupport_is400SayingSo() throws Exception {
    JsonNode error =
        assertError(
            noToolsRest.post("/v1/chat/completions", request("\"tool_choice\":\"required\"")),
            400,
            "invalid_request_error",
            "its chat template has no tool support");
    assertThat(error.get("param").asText()).isEqualTo("tools");
    JsonNode history =
        assertError(
            noToolsRest.post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"1\"}]}"),
            400,
            "invalid_request_error",
            "chat template has no tool support");
    assertThat(history.get("param").asText()).isEqualTo("messages[0]");
  }

  @Test
  void badToolRequests_are400NamingTheParameter() throws Exception {
    String[][] cases = {
      {
        request("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_moon\"}}"),
        "tool_choice",
        "get_moon"
      },
      {request("\"logprobs\":true,\"tool_choice\":\"required\""), "logprobs", "tool_choice 'none'"},
      {
        request("\"response_format\":{\"type\":\"json_object\"}"),
        "response_format",
        "tool_choice 'none'"
      },
      {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"strict\":true,\"parameters\":{}}}]}",
        "tools[0].function.strict",
        "only for a forced call"
      },
      {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}",
        "tools[1].function.name",
        "no other tool has"
      },
      {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"a\":{\"type\":\"string\",\"pattern\":\"^a+$\"}}}}}],\"tool_choice\":\"required\"}",
        "tools",
        "pattern"
      },
      {
        "{\"messages\":[{\"role\":\"tool\",\"content\":\"1\"}]}",
        "messages[0].tool_call_id",
        "the id of the tool call"
      },
      {
        "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":"
            + "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]}",
        "messages[0].tool_calls[0].function.arguments",
        "a JSON object as a string"
      },
      {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"examples\":[]}}]}",
        "tools[0].function.examples",
        "not supported by inferd"
      },
    };
    for (String[] c : cases) {
      JsonNode error =
          assertError(
              qwenRest.post("/v1/chat/completions", c[0]), 400, "invalid_request_error", c[2]);
      assertThat(error.get("param").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }

  private static CompleteRequest.Builder grpcRequest() {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("Weather in Paris?"))
        .setMaxTokens(400)
        .addTools(
            Tool.newBuilder()
                .setName("get_weather")
                .setDescription("Weather forecast for a city")
                .setParametersJsonSchema(WEATHER_SCHEMA))
        .addTools(Tool.newBuilder().setName("get_time").setParametersJsonSchema(TIME_SCHEMA));
  }

  @Test
  void grpc_forcedCall_wholeAndStreamed_toolCallsWithValidArguments() throws Exception {
    CompleteRequest request =
        grpcRequest().setToolChoice("get_weather").setParallelToolCalls(false).build();
    CompleteResponse whole =
        qwenGrpc.blocking().withDeadlineAfter(2, TimeUnit.MINUTES).complete(request);
    Choice choice = whole.getChoices(0);
    assertThat(choice.getFinishReason()).isEqualTo("tool_calls");
    assertThat(choice.getMessage().getContent()).isEmpty();
    assertThat(choice.getMessage().getToolCallsList()).hasSize(1);
    ToolCall call = choice.getMessage().getToolCalls(0);
    assertThat(call.getName()).isEqualTo("get_weather");
    assertThat(call.getId()).matches("call_[0-9a-f]{24}");
    assertThat(SCHEMAS.get("get_weather").validate(JSON.readTree(call.getArgumentsJson())))
        .as(call.getArgumentsJson())
        .isEmpty();

    List<StreamChunk> chunks = new ArrayList<>();
    qwenGrpc
        .blocking()
        .withDeadlineAfter(2, TimeUnit.MINUTES)
        .streamComplete(request)
        .forEachRemaining(chunks::add);
    StreamChunk last = chunks.getLast();
    assertThat(last.getChoices(0).getFinishReason()).isEqualTo("tool_calls");
    assertThat(last.getChoices(0).getDelta().getToolCallsList()).hasSize(1);
    ToolCall streamed = last.getChoices(0).getDelta().getToolCalls(0);
    // greedy: the same call as the whole answer's
    assertThat(streamed.getName()).isEqualTo(call.getName());
    assertThat(streamed.getArgumentsJson()).isEqualTo(call.getArgumentsJson());
    assertThat(
            chunks.stream()
                .map(c -> c.getChoices(0).getDelta().getContent())
                .reduce("", String::concat))
        .isEmpty();
  }

  @Test
  void grpc_toolsOnAModelWithoutToolSupport_andAnUnknownToolChoice_areInvalidArgument() {
    assertThatThrownBy(
            () -> noToolsGrpc.blocking().complete(grpcRequest().setToolChoice("auto").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .startsWith("tools: ")
                  .contains("no tool support");
            });
    assertThatThrownBy(
            () -> qwenGrpc.blocking().complete(grpcRequest().setToolChoice("get_moon").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).startsWith("tool_choice: 'get_moon'"));
  }
}
