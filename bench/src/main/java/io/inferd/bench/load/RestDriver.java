package io.inferd.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.inferd.bench.OpenAi;
import io.inferd.bench.Payloads;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * REST calls to the OpenAI-compatible gateway with the JDK's {@link HttpClient} over HTTP/1.1 (the
 * gateway speaks only that): one shared client, whose pool keeps a connection alive per concurrent
 * caller and reuses it. Bodies are written and read with Jackson data classes ({@link OpenAi}), as
 * a Java REST client would; streams are read as server-sent events line by line.
 */
final class RestDriver implements CallDriver {
  private final HttpClient http;
  private final Work work;
  private final URI chat;
  private final URI embeddings;
  private final Object chatBody;
  private final Object embedBody;
  private final boolean base64;

  RestDriver(int port, Work work, boolean base64) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    this.work = work;
    this.chat = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
    this.embeddings = URI.create("http://127.0.0.1:" + port + "/v1/embeddings");
    this.chatBody = work.chatRequest();
    this.embedBody = Payloads.embeddingsRequest(base64);
    this.base64 = base64;
  }

  RestDriver(int port, Work work) {
    this(port, work, false);
  }

  private HttpRequest post(URI uri, Object body) throws Exception {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(OpenAi.MAPPER.writeValueAsBytes(body)))
        .build();
  }

  @Override
  public void call(Metrics.CallTimer timer) throws Exception {
    switch (work.scenario()) {
      case UNARY -> unary();
      case STREAM -> stream(timer);
      case EMBED -> embed();
    }
  }

  private void unary() throws Exception {
    HttpResponse<byte[]> response =
        http.send(post(chat, chatBody), HttpResponse.BodyHandlers.ofByteArray());
    check(response.statusCode());
    OpenAi.ChatCompletion answer =
        OpenAi.MAPPER.readValue(response.body(), OpenAi.ChatCompletion.class);
    String text = answer.choices().get(0).message().content();
    int tokens = answer.usage().completionTokens();
    if (text == null || text.isEmpty() || (work.exactTokens() && tokens != work.maxTokens())) {
      throw new IncompleteAnswerException("answer of " + tokens + " tokens");
    }
  }

  private void stream(Metrics.CallTimer timer) throws Exception {
    HttpResponse<InputStream> response =
        http.send(post(chat, chatBody), HttpResponse.BodyHandlers.ofInputStream());
    boolean finished = false;
    boolean done = false;
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      check(response.statusCode());
      String line;
      while ((line = events.readLine()) != null) {
        if (!line.startsWith("data: ")) {
          continue; // the blank line between events
        }
        String data = line.substring(6);
        if (data.equals("[DONE]")) {
          done = true;
          // read to the end of the body, so the pool can reuse the connection for the next call
          while (events.readLine() != null) {
            // nothing after [DONE] but the end of the chunked body
          }
          break;
        }
        OpenAi.ChatChunk chunk = OpenAi.MAPPER.readValue(data, OpenAi.ChatChunk.class);
        for (OpenAi.ChunkChoice choice : chunk.choices()) {
          String content = choice.delta() == null ? null : choice.delta().content();
          if (content != null && !content.isEmpty()) {
            timer.token();
          }
          finished |= choice.finishReason() != null;
        }
      }
    }
    if (!finished || !done || (work.exactTokens() && timer.tokens() != work.maxTokens())) {
      throw new IncompleteAnswerException("stream of " + timer.tokens() + " tokens");
    }
  }

  private void embed() throws Exception {
    HttpResponse<byte[]> response =
        http.send(post(embeddings, embedBody), HttpResponse.BodyHandlers.ofByteArray());
    check(response.statusCode());
    int count;
    int dimensions;
    if (base64) {
      var answer = OpenAi.MAPPER.readValue(response.body(), OpenAi.EmbeddingListBase64.class);
      count = answer.data().size();
      float[] last = null;
      for (OpenAi.EmbeddingItemBase64 item : answer.data()) {
        last = Payloads.fromBase64(item.embedding()); // a client must decode every vector
      }
      dimensions = last == null ? 0 : last.length;
    } else {
      var answer = OpenAi.MAPPER.readValue(response.body(), OpenAi.EmbeddingList.class);
      count = answer.data().size();
      dimensions = count == 0 ? 0 : answer.data().get(count - 1).embedding().length;
    }
    if (count != Payloads.EMBED_TEXTS || dimensions != Payloads.DIMENSIONS) {
      throw new IncompleteAnswerException(count + " embeddings of " + dimensions);
    }
  }

  private static void check(int status) {
    if (status != 200) {
      throw new HttpStatusException(status);
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
  }

  /** A non-200 answer; its kind is "HTTP <status>". */
  static final class HttpStatusException extends RuntimeException {
    final int status;

    HttpStatusException(int status) {
      super("HTTP " + status);
      this.status = status;
    }
  }
}
