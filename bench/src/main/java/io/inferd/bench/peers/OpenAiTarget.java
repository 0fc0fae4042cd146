package io.inferd.bench.peers;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * OpenAI {@code /v1/chat/completions} over HTTP/1.1 with the JDK's client: streamed (server-sent
 * events, read line by line) for the load, whole answers for the Chat turns. The same code drives
 * llama-server and inferd's REST gateway; {@code extra} adds a server's own request fields (e.g.
 * llama.cpp's {@code ignore_eos}).
 */
final class OpenAiTarget implements StreamTarget {
  static final JsonMapper JSON = new JsonMapper();

  private final String name;
  private final URI uri;
  private final Consumer<ObjectNode> extra;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  OpenAiTarget(String name, int port, Consumer<ObjectNode> extra) {
    this.name = name;
    this.uri = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
    this.extra = extra;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public StreamResult stream(String userText, int maxTokens) throws Exception {
    ObjectNode body = body(List.of(new Turn("user", userText)), maxTokens, 0f);
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    StreamResult.Timer timer = new StreamResult.Timer();
    HttpResponse<InputStream> response =
        sendOnAliveConnection(request(body), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      if (response.statusCode() != 200) {
        throw new IOException(name + ": HTTP " + response.statusCode() + ": " + readAll(events));
      }
      String line;
      while ((line = events.readLine()) != null) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        String data = line.substring(6);
        if (data.equals("[DONE]")) {
          while (events.readLine() != null) {
            // drain, so the pool reuses the connection
          }
          break;
        }
        JsonNode chunk = JSON.readTree(data);
        for (JsonNode choice : chunk.path("choices")) {
          String content = choice.path("delta").path("content").asText("");
          if (!content.isEmpty()) {
            timer.content();
          }
        }
        JsonNode usage = chunk.path("usage");
        if (usage.has("completion_tokens")) {
          timer.usage(usage.get("completion_tokens").asInt());
        }
      }
    }
    return timer.done();
  }

  /** The prompt tokens the server counts for one user message (a one-token answer). */
  int promptTokens(String userText) throws Exception {
    return send(body(List.of(new Turn("user", userText)), 1, 0f))
        .path("usage")
        .path("prompt_tokens")
        .asInt(-1);
  }

  /** One Chat turn with the whole history: the answer's text. */
  String complete(List<Turn> history, int maxTokens, float temperature) throws Exception {
    return send(body(history, maxTokens, temperature))
        .path("choices")
        .path(0)
        .path("message")
        .path("content")
        .asText("");
  }

  private JsonNode send(ObjectNode body) throws Exception {
    HttpResponse<byte[]> response =
        sendOnAliveConnection(request(body), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(
          name + ": HTTP " + response.statusCode() + ": " + new String(response.body(), UTF_8));
    }
    return JSON.readTree(response.body());
  }

  /**
   * Sends again, once, when the server had closed the kept-alive connection before the request got
   * there (llama-server closes idle ones after 5 s; the JDK client finds out only by reusing it):
   * the request was never seen, so this is not a retry of work.
   */
  private <T> HttpResponse<T> sendOnAliveConnection(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) throws Exception {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
        throw e;
      }
      return http.send(request, handler);
    }
  }

  private ObjectNode body(List<Turn> history, int maxTokens, float temperature) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode messages = body.putArray("messages");
    for (Turn t : history) {
      messages.addObject().put("role", t.role()).put("content", t.content());
    }
    body.put("max_tokens", maxTokens);
    body.put("temperature", temperature);
    body.put("seed", 42);
    extra.accept(body);
    return body;
  }

  private HttpRequest request(ObjectNode body) throws IOException {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(600))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .build();
  }

  private static String readAll(BufferedReader reader) throws IOException {
    StringBuilder s = new StringBuilder();
    String line;
    while ((line = reader.readLine()) != null && s.length() < 500) {
      s.append(line);
    }
    return s.toString();
  }

  @Override
  public void close() {
    http.shutdownNow();
  }

  /** A chat message. */
  record Turn(String role, String content) {}
}
