package io.inferd.engine.remote;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible stand-in on 127.0.0.1:0 (JDK HttpServer): {@code POST /v1/chat/completions}
 * streams what {@link #chat} says, {@code POST /v1/embeddings} answers {@link #embeddings}, {@code
 * GET /v1/models} answers {@link #modelsStatus}. Records each chat request.
 */
final class FakeOpenAiServer implements AutoCloseable {
  /** What the chat endpoint does. */
  enum Chat {
    /** Three tokens, a finish chunk, a separate usage chunk (choices: []), [DONE]. */
    STREAM,
    /** HTTP 500 with an OpenAI error body. */
    FAIL_500,
    /** HTTP 503 (e.g. draining). */
    FAIL_503,
    /** HTTP 400 with an OpenAI error body. */
    FAIL_400,
    /** One token, then an error event. */
    ERROR_EVENT,
    /** One token, then a token every 20 ms until the client goes away (at most 500). */
    ENDLESS,
    /** Never answers (until closed). */
    SILENT
  }

  /** One chat request as received. */
  record Received(Headers headers, String body) {}

  volatile Chat chat = Chat.STREAM;
  volatile int modelsStatus = 200;
  volatile String embeddings = "";
  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger chatCalls = new AtomicInteger();
  final AtomicInteger probes = new AtomicInteger();

  /** Counts down when a write to an endless stream failed: the client closed the connection. */
  final CountDownLatch clientLeft = new CountDownLatch(1);

  final AtomicInteger endlessTokensWritten = new AtomicInteger();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final CountDownLatch closing = new CountDownLatch(1);

  FakeOpenAiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/v1/chat/completions", this::chat);
    server.createContext("/v1/embeddings", this::embeddings);
    server.createContext("/v1/models", this::models);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  private void chat(HttpExchange exchange) throws IOException {
    chatCalls.incrementAndGet();
    String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
    received.add(new Received(exchange.getRequestHeaders(), body));
    switch (chat) {
      case FAIL_500 -> error(exchange, 500, "server_error", "engine exploded");
      case FAIL_503 -> error(exchange, 503, "server_error", "shutting down");
      case FAIL_400 ->
          error(exchange, 400, "invalid_request_error", "max_tokens: -1 (expected: >= 0)");
      case SILENT -> {
        try {
          closing.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.close();
      }
      case STREAM -> {
        try (OutputStream out = sse(exchange)) {
          event(
              out,
              "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
          for (String token : List.of("Once", " upon", " a")) {
            event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + token + "\"}}]}");
          }
          event(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
          event(
              out,
              "{\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}");
          event(out, "[DONE]");
        }
      }
      case ERROR_EVENT -> {
        try (OutputStream out = sse(exchange)) {
          event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once\"}}]}");
          event(
              out,
              "{\"error\":{\"message\":\"server"
                  + " busy\",\"type\":\"rate_limit_error\",\"code\":\"server_busy\"}}");
        }
      }
      case ENDLESS -> {
        OutputStream out = sse(exchange);
        try {
          for (int i = 0; i < 500; i++) {
            event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" t" + i + "\"}}]}");
            endlessTokensWritten.incrementAndGet();
            Thread.sleep(20);
          }
        } catch (IOException e) {
          clientLeft.countDown();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          exchange.close();
        }
      }
    }
  }

  private static OutputStream sse(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(UTF_8));
    out.flush();
  }

  private static void error(HttpExchange exchange, int status, String type, String message)
      throws IOException {
    byte[] body =
        ("{\"error\":{\"message\":\""
                + message
                + "\",\"type\":\""
                + type
                + "\",\"param\":null,\"code\":null}}")
            .getBytes(UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void embeddings(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] body = embeddings.getBytes(UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void models(HttpExchange exchange) throws IOException {
    probes.incrementAndGet();
    byte[] body = "{\"object\":\"list\",\"data\":[]}".getBytes(UTF_8);
    exchange.sendResponseHeaders(modelsStatus, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
