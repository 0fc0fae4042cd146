package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.DetokenizeRequest;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.TokenLogprob;
import io.inferd.api.v1.TokenizeRequest;
import io.inferd.api.v1.TokenizeResponse;
import io.inferd.api.v1.TopLogprob;
import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.server.auth.ApiKeyStore;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What needs the engine's own features, end to end on gRPC and REST: log-probabilities, samplers,
 * GBNF grammars and JSON Schema output, raw prompts (/v1/completions) and tokenize — on the shipped
 * model and on every GGUF in ../shared/models.
 */
class EngineFeaturesEndToEndTest {
  static List<Path> models;
  static List<LlamaGenerator> loaded = new ArrayList<>();
  static List<RunningServer> grpcs = new ArrayList<>();
  static List<RunningGateway> rests = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    List<Path> found = new ArrayList<>();
    found.add(DefaultModels.find(Path.of("..")).orElseThrow().path());
    Path shared = Path.of(System.getProperty("inferd.shared.models", "../../shared/models"));
    if (Files.isDirectory(shared)) {
      try (Stream<Path> files = Files.list(shared)) {
        files.filter(f -> f.toString().endsWith(".gguf")).sorted().forEach(found::add);
      }
    }
    models = found;
    for (Path file : models) {
      LlamaGenerator generator = LlamaGenerator.load(file, new LlamaOptions(2, 2, 256));
      loaded.add(generator);
      grpcs.add(RunningServer.start(generator, 2, 8));
      rests.add(RunningGateway.start(generator, 2, 8, ApiKeyStore.disabled()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (RunningServer s : grpcs) {
      s.close();
    }
    for (RunningGateway g : rests) {
      g.close();
    }
    for (LlamaGenerator g : loaded) {
      g.close();
    }
  }

  static Stream<Integer> eachModel() {
    return java.util.stream.IntStream.range(0, models.size()).boxed();
  }

  private static CompleteRequest.Builder greedy(int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("And God said"))
        .setTemperature(0)
        .setMaxTokens(maxTokens);
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void grpcComplete_logprobs_areAtMostZero_withTheAskedAlternatives_greedyPicksTheTopOne(int m) {
    CompleteResponse response =
        grpcs.get(m).blocking().complete(greedy(8).setLogprobs(true).setTopLogprobs(3).build());
    Choice choice = response.getChoices(0);
    List<TokenLogprob> tokens = choice.getLogprobs().getContentList();
    assertThat(tokens).hasSize(response.getUsage().getCompletionTokens());
    StringBuilder text = new StringBuilder();
    for (TokenLogprob token : tokens) {
      text.append(token.getToken());
      assertThat(token.getLogprob()).isLessThanOrEqualTo(0f);
      assertThat(token.getTopLogprobsList()).hasSize(3);
      List<Float> top = token.getTopLogprobsList().stream().map(TopLogprob::getLogprob).toList();
      assertThat(top).isSortedAccordingTo((a, b) -> Float.compare(b, a)).allMatch(p -> p <= 0f);
      // greedy: the chosen token is the most likely one
      assertThat(token.getTopLogprobs(0).getTokenId()).isEqualTo(token.getTokenId());
      assertThat(token.getLogprob())
          .isCloseTo(top.get(0), org.assertj.core.data.Offset.offset(1e-4f));
    }
    assertThat(text.toString()).isEqualTo(choice.getMessage().getContent());
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void restChat_logprobs_wholeAndStreamed_inOpenAisShape(int m) throws Exception {
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"And God said\"}],\"max_tokens\":6,"
            + "\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2";
    JsonNode whole = rests.get(m).postJson("/v1/chat/completions", body + "}");
    JsonNode content = whole.at("/choices/0/logprobs/content");
    assertThat(content.size()).isEqualTo(whole.at("/usage/completion_tokens").asInt());
    for (JsonNode token : content) {
      assertThat(token.get("logprob").floatValue()).isLessThanOrEqualTo(0f);
      assertThat(token.get("top_logprobs")).hasSize(2);
      assertThat(token.get("bytes").isArray()).isTrue();
    }

    HttpResponse<InputStream> response =
        rests.get(m).postStreaming("/v1/chat/completions", body + ",\"stream\":true}");
    int streamed = 0;
    for (String event : readEvents(response.body(), 1000)) {
      if (event.equals("[DONE]")) {
        break;
      }
      JsonNode logprobs = JSON.readTree(event).at("/choices/0/logprobs/content");
      for (JsonNode token : logprobs) {
        assertThat(token.get("logprob").floatValue()).isLessThanOrEqualTo(0f);
        assertThat(token.get("top_logprobs")).hasSize(2);
        streamed++;
      }
    }
    assertThat(streamed).isEqualTo(content.size());
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void tokenize_thenDetokenize_givesTheTextBack_onGrpcAndRest(int m) throws Exception {
    String text = "In the beginning God created the heaven and the earth.";
    TokenizeResponse tokens =
        grpcs.get(m).blocking().tokenize(TokenizeRequest.newBuilder().setText(text).build());
    assertThat(tokens.getTokensList()).isNotEmpty();
    assertThat(tokens.getModel()).isEqualTo("tiny");
    String back =
        grpcs
            .get(m)
            .blocking()
            .detokenize(DetokenizeRequest.newBuilder().addAllTokens(tokens.getTokensList()).build())
            .getText();
    assertThat(back).isEqualTo(text);

    JsonNode rest =
        rests.get(m).postJson("/tokenize", "{\"content\":" + JSON.writeValueAsString(text) + "}");
    List<Integer> ids = new ArrayList<>();
    rest.get("tokens").forEach(id -> ids.add(id.asInt()));
    assertThat(ids).isEqualTo(tokens.getTokensList());
    JsonNode detok = rests.get(m).postJson("/detokenize", "{\"tokens\":" + ids + "}");
    assertThat(detok.get("content").asText()).isEqualTo(text);
    JsonNode pieces =
        rests.get(m).postJson("/tokenize", "{\"content\":\"the earth\",\"with_pieces\":true}");
    StringBuilder joined = new StringBuilder();
    pieces.get("tokens").forEach(p -> joined.append(p.get("piece").asText()));
    assertThat(joined.toString()).isEqualTo("the earth");
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void restCompletions_promptStringAndArray_wholeAndStreamed(int m) throws Exception {
    JsonNode one =
        rests
            .get(m)
            .postJson(
                "/v1/completions",
                "{\"prompt\":\"And God said\",\"max_tokens\":6,\"temperature\":0}");
    assertThat(one.get("object").asText()).isEqualTo("text_completion");
    assertThat(one.at("/choices/0/text").asText()).isNotEmpty();
    assertThat(one.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    assertThat(one.at("/usage/total_tokens").asInt())
        .isEqualTo(
            one.at("/usage/prompt_tokens").asInt() + one.at("/usage/completion_tokens").asInt());

    JsonNode many =
        rests
            .get(m)
            .postJson(
                "/v1/completions",
                "{\"prompt\":[\"And God said\",\"The Lord is\"],\"n\":2,\"max_tokens\":4,"
                    + "\"temperature\":0.8,\"seed\":1}");
    List<Integer> indexes = new ArrayList<>();
    many.get("choices").forEach(c -> indexes.add(c.get("index").asInt()));
    assertThat(indexes).containsExactly(0, 1, 2, 3);

    HttpResponse<InputStream> response =
        rests
            .get(m)
            .postStreaming(
                "/v1/completions",
                "{\"prompt\":\"And God said\",\"max_tokens\":6,\"temperature\":0,\"stream\":true}");
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String event : readEvents(response.body(), 1000)) {
      if (event.equals("[DONE]")) {
        break;
      }
      JsonNode choice = JSON.readTree(event).at("/choices/0");
      assertThat(JSON.readTree(event).get("object").asText()).isEqualTo("text_completion");
      text.append(choice.get("text").asText());
      if (!choice.get("finish_reason").isNull()) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo(one.at("/choices/0/text").asText());
    assertThat(finish).isEqualTo(one.at("/choices/0/finish_reason").asText());
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void grammar_constrainsTheAnswer_onGrpcAndRest(int m) throws Exception {
    CompleteResponse response =
        grpcs
            .get(m)
            .blocking()
            .complete(
                greedy(8)
                    .setTemperature(1f)
                    .setSeed(3)
                    .setGrammar("root ::= \"yes\" | \"no\"")
                    .build());
    assertThat(response.getChoices(0).getMessage().getContent()).isIn("yes", "no");
    assertThat(response.getChoices(0).getFinishReason()).isEqualTo("stop");

    JsonNode rest =
        rests
            .get(m)
            .postJson(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":8,"
                    + "\"grammar\":\"root ::= [0-9] [0-9]\",\"temperature\":1,\"seed\":2}");
    assertThat(rest.at("/choices/0/message/content").asText()).matches("[0-9]{2}");
  }

  @ParameterizedTest
  @MethodSource("eachModel")
  void samplers_areHonoured_onAnEngineThatHasThem(int m) throws Exception {
    JsonNode ok =
        rests
            .get(m)
            .postJson(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":4,"
                    + "\"temperature\":0.8,\"seed\":5,\"top_k\":5,\"min_p\":0.05,"
                    + "\"repeat_penalty\":1.2,\"presence_penalty\":0.5,\"frequency_penalty\":0.5}");
    assertThat(ok.at("/choices/0/message/content").isTextual()).isTrue();
    // top_k 1 is greedy whatever the temperature
    CompleteResponse topK1 =
        grpcs
            .get(m)
            .blocking()
            .complete(greedy(8).setTemperature(1.5f).setSeed(9).setTopK(1).build());
    CompleteResponse plain = grpcs.get(m).blocking().complete(greedy(8).build());
    assertThat(topK1.getChoices(0).getMessage().getContent())
        .isEqualTo(plain.getChoices(0).getMessage().getContent());
  }

  static final String PERSON_SCHEMA =
      "{\"type\":\"object\",\"properties\":{"
          + "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":12},"
          + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},"
          + "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"a\",\"b\"]},\"maxItems\":3}},"
          + "\"required\":[\"name\",\"age\"],\"additionalProperties\":false}";

  @ParameterizedTest
  @MethodSource("eachModel")
  void jsonSchema_strict_outputValidatesAgainstTheSchema_onGrpcAndRest(int m) throws Exception {
    var schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(PERSON_SCHEMA);
    Set<String> answers = new HashSet<>();
    for (int seed = 0; seed < 3; seed++) {
      JsonNode rest =
          rests
              .get(m)
              .postJson(
                  "/v1/chat/completions",
                  "{\"messages\":[{\"role\":\"user\",\"content\":\"a person\"}],\"max_tokens\":200,"
                      + "\"temperature\":1,\"seed\":"
                      + seed
                      + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
                      + "\"strict\":true,\"schema\":"
                      + PERSON_SCHEMA
                      + "}}}");
      String content = rest.at("/choices/0/message/content").asText();
      assertThat(rest.at("/choices/0/finish_reason").asText()).as(content).isEqualTo("stop");
      assertThat(schema.validate(JSON.readTree(content))).as(content).isEmpty();
      answers.add(content);
    }
    CompleteResponse grpc =
        grpcs.get(m).blocking().complete(greedy(200).setJsonSchema(PERSON_SCHEMA).build());
    String content = grpc.getChoices(0).getMessage().getContent();
    assertThat(schema.validate(JSON.readTree(content))).as(content).isEmpty();
    JsonNode object =
        rests
            .get(m)
            .postJson(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":60,"
                    + "\"temperature\":0,\"response_format\":{\"type\":\"json_object\"}}");
    String json = object.at("/choices/0/message/content").asText();
    if (object.at("/choices/0/finish_reason").asText().equals("stop")) {
      assertThat(JSON.readTree(json).isObject()).as(json).isTrue();
    }
  }

  @Test
  void jsonSchema_aKeywordTheGrammarCannotExpress_is400NamingIt() throws Exception {
    HttpResponse<String> response =
        rests
            .get(0)
            .post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                    + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
                    + "\"schema\":{\"type\":\"string\",\"pattern\":\"(a|b)*\\\\1\"}}}}");
    JsonNode error =
        RestGatewayEndToEndTest.assertError(response, 400, "invalid_request_error", "pattern");
    assertThat(error.get("param").asText()).isEqualTo("response_format.json_schema");
  }
}
