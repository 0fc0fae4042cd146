package io.inferd.app;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.rest.ListenerSettings;
import io.inferd.server.rest.RestGateway;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.Telemetry;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The REST port against clients that hold connections: idle timeout, connection cap, restart. */
class RestListenerEndToEndTest {
  private RestGateway gateway;
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(1));
    }
  }

  private void start(ListenerSettings listener) throws Exception {
    var registry = ModelRegistry.builder().generator("tiny", TestModels.tiny()).build();
    var core = new InferenceCore(registry, new Scheduler(1, 1, 100), RunningServer.TEST_LIMITS);
    var telemetry = new Telemetry(new AccessLog(), new InferdMetrics(core.scheduler()));
    gateway =
        new RestGateway(
                core,
                ApiKeyStore.disabled(),
                RateLimiter.off(),
                telemetry,
                Duration.ofSeconds(60),
                listener)
            .start("127.0.0.1", 0);
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.port());
    sockets.add(socket);
    socket.setSoTimeout(15_000);
    return socket;
  }

  /** Reads until the server closes; true if it did within the socket's timeout. */
  private static boolean closedByServer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // a 408 or 400 before the close is fine
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static String health(Socket socket) throws IOException {
    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
    byte[] head = new byte[12];
    int n = socket.getInputStream().readNBytes(head, 0, head.length);
    return new String(head, 0, n, US_ASCII);
  }

  @Test
  void idleConnection_isClosedAfterTheIdleTimeout() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(1), 100, 100, null));
    Socket idle = connect();
    assertThat(health(idle)).startsWith("HTTP/1.1 200");
    assertThat(closedByServer(idle)).as("closed within 15 s").isTrue();
  }

  @Test
  void connectionsBeyondTheCap_waitUntilOneCloses() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 4, 100, null));
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket socket = connect();
      assertThat(health(socket)).startsWith("HTTP/1.1 200");
      held.add(socket);
    }
    Socket fifth = connect();
    fifth.setSoTimeout(1_500);
    assertThat(catchTimeout(() -> health(fifth))).as("fifth answered while 4 are open").isTrue();

    held.getFirst().close();
    fifth.setSoTimeout(15_000);
    assertThat(new String(fifth.getInputStream().readNBytes(12), US_ASCII))
        .startsWith("HTTP/1.1 200");
  }

  private String exchange(String request) throws Exception {
    Socket socket = connect();
    socket.getOutputStream().write(request.getBytes(US_ASCII));
    socket.getOutputStream().flush();
    return new String(socket.getInputStream().readNBytes(12), US_ASCII);
  }

  @Test
  void malformedChunkedBody_isABadRequest() throws Exception {
    start(ListenerSettings.defaults());
    assertThat(
            exchange(
                "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
  }

  @Test
  void oversizedChunkedBody_isPayloadTooLarge() throws Exception {
    start(ListenerSettings.defaults());
    Socket socket = connect();
    var out = socket.getOutputStream();
    out.write(
        ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
            .getBytes(US_ASCII));
    byte[] chunk = new byte[1 << 20];
    java.util.Arrays.fill(chunk, (byte) 'a');
    try {
      for (int i = 0; i < 40; i++) {
        out.write(("100000\r\n").getBytes(US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(US_ASCII));
    } catch (IOException closedEarly) {
      // the server may answer and close before reading it all
    }
    assertThat(new String(socket.getInputStream().readNBytes(12), US_ASCII))
        .startsWith("HTTP/1.1 413");
  }

  @Test
  void postThatIsNotDeclaredJson_isUnsupportedMediaType() throws Exception {
    start(ListenerSettings.defaults());
    String body = "{\"input\":\"x\"}";
    assertThat(
            exchange(
                "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body))
        .as("a cross-origin 'simple request' from a web page")
        .startsWith("HTTP/1.1 415");
  }

  /** Reads a whole HTTP response (Content-Length or chunked); returns its head and body. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed inside the response head: " + head);
      }
      head.append((char) b);
    }
    String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
    var length = java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(lower);
    if (length.find()) {
      return head + new String(in.readNBytes(Integer.parseInt(length.group(1))), US_ASCII);
    }
    assertThat(lower).contains("transfer-encoding: chunked");
    StringBuilder body = new StringBuilder();
    for (String size; !(size = readLine(in)).equals("0"); ) {
      body.append(new String(in.readNBytes(Integer.parseInt(size.strip(), 16)), US_ASCII));
      readLine(in);
    }
    readLine(in);
    return head + body.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("closed inside a chunked body");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        "POST /tokenize HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: 32\r\n\r\n"
            + "{\"model\":\"tiny\",\"content\":\"cat\"}",
      })
  void requestWithConnectionClose_getsItsResponse_thenTheServerClosesTheSocket(String request)
      throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    Socket socket = connect();
    socket.getOutputStream().write(request.getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = readResponse(socket.getInputStream());

    assertThat(response).startsWith("HTTP/1.1 ").containsIgnoringCase("connection: close");
    socket.setSoTimeout(10_000); // far below the 60 s idle timeout
    assertThat(socket.getInputStream().read()).as("end of stream after the response").isEqualTo(-1);
  }

  /** Everything the server sends until it closes the connection (within the socket's timeout). */
  private static String untilClosed(Socket socket) throws IOException {
    socket.setSoTimeout(10_000); // far below the 60 s idle timeout
    var received = new java.io.ByteArrayOutputStream();
    try {
      socket.getInputStream().transferTo(received);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("not closed within 10 s; received: " + received.toString(US_ASCII));
    }
    return received.toString(US_ASCII);
  }

  private static String head(String response) {
    return response.substring(0, response.indexOf("\r\n\r\n") + 4).toLowerCase(Locale.ROOT);
  }

  @Test
  void http10Get_isServedWithAContentLength_andTheConnectionCloses() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    Socket socket = connect();
    socket.getOutputStream().write("GET /v1/models HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = untilClosed(socket);

    assertThat(response).matches("(?s)HTTP/1\\.[01] 200 .*").contains("\"id\":\"tiny\"");
    assertThat(head(response))
        .contains("content-length: ")
        .contains("connection: close")
        .doesNotContain("transfer-encoding");
  }

  @Test
  void http10Post_chatCompletion_isServed_andTheConnectionCloses() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    String body =
        "{\"model\":\"tiny\",\"max_tokens\":2,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"the cat\"}]}";
    Socket socket = connect();
    socket
        .getOutputStream()
        .write(
            ("POST /v1/chat/completions HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body)
                .getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = untilClosed(socket);

    assertThat(response)
        .matches("(?s)HTTP/1\\.[01] 200 .*")
        .contains("\"object\":\"chat.completion\"");
    assertThat(head(response)).contains("content-length: ").doesNotContain("transfer-encoding");
  }

  @Test
  void http10KeepAlive_servesRequestsOnOneConnection_untilOneComesWithout() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    Socket socket = connect();
    socket
        .getOutputStream()
        .write("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".getBytes(US_ASCII));
    String first = readResponse(socket.getInputStream());
    assertThat(first).matches("(?s)HTTP/1\\.[01] 200 .*").contains("SERVING");
    assertThat(head(first)).contains("connection: keep-alive").contains("content-length: ");

    socket.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
    String second = untilClosed(socket);
    assertThat(second).matches("(?s)HTTP/1\\.[01] 200 .*").contains("SERVING");
  }

  @Test
  void http10StreamingChat_isCloseDelimited_notChunked() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    String body =
        "{\"model\":\"tiny\",\"max_tokens\":3,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"the cat\"}]}";
    Socket socket = connect();
    socket
        .getOutputStream()
        .write(
            ("POST /v1/chat/completions HTTP/1.0\r\nConnection: keep-alive\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body)
                .getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = untilClosed(socket);

    assertThat(response).matches("(?s)HTTP/1\\.[01] 200 .*");
    assertThat(head(response))
        .contains("text/event-stream")
        .contains("connection: close")
        .doesNotContain("transfer-encoding")
        .doesNotContain("content-length");
    String events = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(events).startsWith("data: {").endsWith("data: [DONE]\n\n");
  }

  @Test
  void http10RequestLineInPieces_isServed() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    Socket socket = connect();
    socket.getOutputStream().write("GET /health HT".getBytes(US_ASCII));
    socket.getOutputStream().flush();
    Thread.sleep(300); // the server has the first piece on its own
    socket.getOutputStream().write("TP/1.0\r\n\r\n".getBytes(US_ASCII));

    assertThat(untilClosed(socket)).matches("(?s)HTTP/1\\.[01] 200 .*").contains("SERVING");
  }

  @Test
  void http10PipelinedKeepAlivePosts_areEachAnsweredInTurn() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    String first = "{\"content\":\"the cat\"}";
    String second = "{\"content\":\"a dog\"}";
    Socket socket = connect();
    socket
        .getOutputStream()
        .write(
            ("POST /tokenize HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: "
                    + first.length()
                    + "\r\n\r\n"
                    + first
                    + "POST /tokenize HTTP/1.0\r\nContent-Length: "
                    + second.length()
                    + "\r\n\r\n"
                    + second)
                .getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = untilClosed(socket);

    assertThat(response.split("HTTP/1\\.[01] 200 ", -1)).as("two 200s").hasSize(3);
    assertThat(response).contains("\"tokens\":[");
  }

  @Test
  void http10PostWhoseBodyIsNotRead_isAnswered_andNothingFollows() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    String body = "{\"a\":1}\r\nGET /health HTTP/1.0\r\n\r\n"; // looks like a request; is a body
    Socket socket = connect();
    socket
        .getOutputStream()
        .write(
            ("POST /nowhere HTTP/1.0\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(US_ASCII));
    socket.getOutputStream().flush();

    String response = untilClosed(socket);

    assertThat(response).matches("(?s)HTTP/1\\.[01] 404 .*").doesNotContain("SERVING");
    assertThat(response.split("HTTP/1\\.", -1)).as("one response").hasSize(2);
  }

  @Test
  void http10AfterHttp11OnOneConnection_isToldToOpenANewConnection() throws Exception {
    start(new ListenerSettings(Duration.ofSeconds(60), 100, 100, null));
    Socket socket = connect();
    assertThat(health(socket)).startsWith("HTTP/1.1 200");
    readResponse(socket.getInputStream()); // the rest of it
    socket.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(US_ASCII));

    String response = untilClosed(socket);

    assertThat(response)
        .matches("(?s)HTTP/1\\.[01] 505 .*")
        .contains("\"code\":\"http_version_not_supported\"")
        .contains("open a new connection");
  }

  private static ListenerSettings requestTimeoutOfOneSecond() {
    return new ListenerSettings(Duration.ofSeconds(60), 100, 100, null, Duration.ofSeconds(1));
  }

  @Test
  void requestWhoseHeadersStall_isCutAfterTheRequestTimeout() throws Exception {
    start(requestTimeoutOfOneSecond());
    Socket slow = connect();
    slow.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(US_ASCII));
    slow.getOutputStream().flush();
    // the idle timeout is 60 s: only the request timeout can close it within the socket's 15 s
    assertThat(closedByServer(slow)).as("closed within 15 s").isTrue();
  }

  @Test
  void requestWhoseBodyStalls_isCutAfterTheRequestTimeout() throws Exception {
    start(requestTimeoutOfOneSecond());
    Socket slow = connect();
    slow.getOutputStream()
        .write(
            ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"input\":")
                .getBytes(US_ASCII));
    slow.getOutputStream().flush();
    assertThat(closedByServer(slow)).as("closed within 15 s").isTrue();
  }

  @Test
  void keptAliveConnection_isNotCutBetweenRequests_orWhileARequestIsHandled() throws Exception {
    start(requestTimeoutOfOneSecond());
    Socket socket = connect();
    String body = "{\"model\":\"tiny\",\"content\":\"cat\"}";
    for (int i = 0; i < 2; i++) {
      socket
          .getOutputStream()
          .write(
              ("POST /tokenize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(US_ASCII));
      socket.getOutputStream().flush();
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
      Thread.sleep(1_500); // longer than the request timeout, shorter than the idle timeout
    }
    assertThat(health(socket)).startsWith("HTTP/1.1 200");
  }

  private interface Io {
    String call() throws IOException;
  }

  private static boolean catchTimeout(Io io) throws IOException {
    try {
      io.call();
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    }
  }
}
