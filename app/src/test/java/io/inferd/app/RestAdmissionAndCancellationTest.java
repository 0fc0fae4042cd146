package io.inferd.app;

import static io.inferd.app.RestGatewayEndToEndTest.JSON;
import static io.inferd.app.RestGatewayEndToEndTest.ask;
import static io.inferd.app.RestGatewayEndToEndTest.assertError;
import static io.inferd.app.RestGatewayEndToEndTest.readEvents;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.app.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.server.auth.ApiKeyStore;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One slot, no queue, on a generator whose tokens the test releases one by one, so that
 * "mid-stream" and "all slots busy" are states the test controls rather than races.
 */
class RestAdmissionAndCancellationTest {
  private static final String LONG = ask("the cat", "\"max_tokens\":150,\"stream\":true");

  private ObservedGenerator generator;
  private RunningGateway running;

  @BeforeEach
  void start() throws Exception {
    generator = ObservedGenerator.gated(TestModels.tiny());
    running = RunningGateway.start(generator, 1, 0, ApiKeyStore.disabled());
  }

  @AfterEach
  void stop() {
    generator.allow(10_000);
    running.close();
  }

  private void awaitRunning(int expected) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until && running.core.scheduler().running() != expected) {
      Thread.sleep(10);
    }
    assertThat(running.core.scheduler().running()).as("running").isEqualTo(expected);
  }

  @Test
  void clientDisconnectsMidStream_stopsTheEngineWithinATokenOrTwo_andFreesTheSlot()
      throws Exception {
    generator.allow(2); // the answer's headers go out with the first event
    try (RawSseClient client =
        RawSseClient.post(running.gateway.port(), "/v1/chat/completions", LONG)) {
      assertThat(client.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(JSON.readTree(client.nextEvent()).at("/choices/0/delta/role").asText())
          .isEqualTo("assistant");
      client.nextEvent();
    } // closes the connection
    generator.allow(5);

    Generation g = generator.nextFinished();
    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    // one write to a socket the client has just closed may still succeed; the next one fails
    assertThat(g.completionTokens()).isLessThanOrEqualTo(4);
    awaitRunning(0);

    generator.allow(1_000);
    assertThat(
            running
                .postJson("/v1/chat/completions", ask("the cat", "\"max_tokens\":2"))
                .at("/usage/completion_tokens")
                .asInt())
        .isEqualTo(2);
    assertThat(running.telemetry.metrics().scrape())
        .contains(
            "inferd_requests_total{code=\"499\",method=\"POST"
                + " /v1/chat/completions\",model=\"tiny\",protocol=\"rest\"} 1.0");
  }

  @Test
  void allSlotsBusyAndNoQueue_isTooManyRequestsAtOnce_withRetryAfterInSeconds() throws Exception {
    generator.allow(1);
    HttpResponse<InputStream> holding =
        running.postStreaming(
            "/v1/chat/completions", ask("the cat", "\"max_tokens\":8,\"stream\":true"));
    readEvents(holding.body(), 1); // the only slot is busy now
    awaitRunning(1);

    HttpResponse<String> refused =
        running.post("/v1/chat/completions", ask("the cat", "\"max_tokens\":2"));
    var error = assertError(refused, 429, "rate_limit_error", "1 generation slots");
    assertThat(error.get("code").asText()).isEqualTo("server_busy");
    assertThat(refused.headers().firstValue("retry-after")).hasValue("1"); // 500 ms, rounded up
    HttpResponse<String> refusedStream = running.post("/v1/chat/completions", LONG);
    assertError(refusedStream, 429, "rate_limit_error", "retry later");

    generator.allow(100);
    assertThat(readEvents(holding.body(), Integer.MAX_VALUE)).last().isEqualTo("[DONE]");
    awaitRunning(0);
    assertThat(generator.prompts).hasSize(1); // the refused calls never reached the engine
  }

  /**
   * A bare HTTP/1.1 client over a socket, so that "the client went away" is exactly a closed TCP
   * connection (java.net.http may leave the connection open for a while after a body is cancelled).
   */
  static final class RawSseClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final String statusLine;
    private final StringBuilder pending = new StringBuilder();

    private RawSseClient(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.statusLine = line();
      while (!line().isEmpty()) {
        // headers: not needed here
      }
    }

    static RawSseClient post(int port, String path, String json) throws IOException {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(10_000);
      byte[] body = json.getBytes(UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(US_ASCII));
      out.write(body);
      out.flush();
      return new RawSseClient(socket);
    }

    String statusLine() {
      return statusLine;
    }

    /** The next event's data, de-chunking the body as needed. */
    String nextEvent() throws IOException {
      int end;
      while ((end = pending.indexOf("\n\n")) < 0) {
        int size = Integer.parseInt(line().strip(), 16);
        if (size == 0) {
          throw new EOFException("stream ended");
        }
        pending.append(new String(in.readNBytes(size), UTF_8));
        line(); // the CRLF after each chunk
      }
      String event = pending.substring(0, end);
      pending.delete(0, end + 2);
      assertThat(event).startsWith("data: ");
      return event.substring("data: ".length());
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("connection closed");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
