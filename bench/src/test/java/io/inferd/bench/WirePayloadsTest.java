package io.inferd.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.StreamChunk;
import io.inferd.bench.server.BenchServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The micro-benchmarks' payloads are exactly what the real server sends for the same request over
 * BenchOnlyEngine (ids and timestamps aside): the gateway's JSON, field for field, and the gRPC
 * service's Protobuf messages.
 */
class WirePayloadsTest {
  private static BenchServer.Running server;
  private static HttpClient http;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    SLF4JBridgeHandler
        .removeHandlersForRootLogger(); // Helidon's java.util.logging → Logback (quiet)
    SLF4JBridgeHandler.install();
    server = BenchServer.startInProcess("--parallel", "4", "--queue", "4");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.close();
    server.close();
  }

  private static String post(String path, Object body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OpenAi.MAPPER.writeValueAsBytes(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  /** The JSON tree with the per-call id and time replaced by the payloads' fixed ones. */
  private static JsonNode normalised(String json) throws Exception {
    ObjectNode tree = (ObjectNode) OpenAi.MAPPER.readTree(json);
    if (tree.has("id")) {
      tree.put("id", Payloads.COMPLETION_ID);
    }
    if (tree.has("created")) {
      tree.put("created", Payloads.CREATED_EPOCH_SECOND);
    }
    return OpenAi.MAPPER.readTree(tree.toString()); // numbers as a parser types them
  }

  private static JsonNode tree(Object value) throws Exception {
    return OpenAi.MAPPER.readTree(OpenAi.MAPPER.writeValueAsBytes(value));
  }

  @Test
  void chatCompletionJson_isWhatTheGatewayAnswers() throws Exception {
    String answer =
        post("/v1/chat/completions", Payloads.chatRequest(Payloads.UNARY_MAX_TOKENS, false));

    assertThat(normalised(answer)).isEqualTo(tree(Payloads.chatCompletion()));
  }

  @Test
  void chatChunkJson_isTheGatewaysSecondStreamEvent() throws Exception {
    String answer =
        post("/v1/chat/completions", Payloads.chatRequest(Payloads.UNARY_MAX_TOKENS, true));
    List<String> events = new ArrayList<>();
    for (String line : answer.split("\n")) {
      if (line.startsWith("data: ")) {
        events.add(line.substring(6));
      }
    }

    assertThat(events).hasSize(Payloads.UNARY_MAX_TOKENS + 2).endsWith("[DONE]");
    assertThat(normalised(events.get(1))).isEqualTo(tree(Payloads.chatChunk()));
  }

  @Test
  void embeddingsJson_floatAndBase64_areWhatTheGatewayAnswers() throws Exception {
    String floats = post("/v1/embeddings", Payloads.embeddingsRequest(false));
    String base64 = post("/v1/embeddings", Payloads.embeddingsRequest(true));

    assertThat(OpenAi.MAPPER.readTree(floats)).isEqualTo(tree(Payloads.embeddingList()));
    assertThat(OpenAi.MAPPER.readTree(base64)).isEqualTo(tree(Payloads.embeddingListBase64()));
  }

  @Test
  void protobufMessages_areWhatTheGrpcServiceAnswers() {
    var stub =
        InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    CompleteResponse response = stub.complete(Payloads.completeRequest(Payloads.UNARY_MAX_TOKENS));
    Iterator<StreamChunk> chunks =
        stub.streamComplete(Payloads.completeRequest(Payloads.UNARY_MAX_TOKENS));
    chunks.next();
    StreamChunk second = chunks.next();
    chunks.forEachRemaining(chunk -> {});

    CompleteResponse expected = Payloads.completeResponse();
    assertThat(
            response.toBuilder()
                .setId(expected.getId())
                .setCreatedAt(expected.getCreatedAt())
                .build())
        .isEqualTo(expected);
    assertThat(second.toBuilder().setId(Payloads.COMPLETION_ID).build())
        .isEqualTo(Payloads.streamChunk());
  }
}
