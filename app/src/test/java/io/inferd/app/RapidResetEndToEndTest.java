package io.inferd.app;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.inferd.engine.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * HTTP/2 rapid reset (CVE-2023-44487) against the gRPC port as `inferd serve` configures it:
 * HEADERS then RST_STREAM in a loop, on a raw socket, with no key needed.
 */
class RapidResetEndToEndTest {
  private static final int GOAWAY = 0x7;
  private static final int ENHANCE_YOUR_CALM = 0xb;

  private RunningServer server;
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("inferd.access");

  @BeforeEach
  void listen() {
    accessLog.start();
    accessLogger.addAppender(accessLog);
  }

  private void start(String... options) throws Exception {
    var transport = new GrpcTransportOptions();
    new CommandLine(transport).parseArgs(options); // the shipped defaults, unless overridden
    server =
        RunningServer.start(
            RunningServer.testConfig().parallel(1).queue(1).transport(transport.settings()).build(),
            ModelRegistry.builder().generator("tiny", TestModels.tiny()).build());
  }

  @AfterEach
  void stop() throws Exception {
    accessLogger.detachAppender(accessLog);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void rapidReset_getsGoAwayEnhanceYourCalm() throws Exception {
    start();
    assertThat(resetStreams(5_000)).as("GOAWAY error code").isEqualTo(ENHANCE_YOUR_CALM);
  }

  @Test
  void resetStreams_withoutTheResetLimit_leaveABoundedAccessLog() throws Exception {
    start("--max-resets-per-10s=0");
    int streams = 3_000;
    assertThat(resetStreams(streams)).as("no GOAWAY without the limit").isEqualTo(-1);
    long until = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < until
        && server.server.grpcPort() > 0
        && accessLog.list.size() < 200) {
      Thread.sleep(50); // the server records resets after the socket closed
    }
    assertThat(accessLog.list.size())
        .as("access log lines for %d reset streams", streams)
        .isBetween(1, 1_000);
  }

  /**
   * Opens one connection, sends HEADERS + RST_STREAM {@code streams} times; the GOAWAY code or -1.
   */
  private int resetStreams(int streams) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.server.grpcPort()), 5_000);
      socket.setSoTimeout(10_000);
      CompletableFuture<Integer> goAway = CompletableFuture.supplyAsync(() -> readGoAway(socket));
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
      frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
      byte[] headers = requestHeaders();
      boolean closedByServer = false;
      try {
        for (int i = 0; i < streams && !goAway.isDone(); i++) {
          int stream = 2 * i + 1;
          frame(out, 0x1, 0x4, stream, headers); // HEADERS, END_HEADERS
          frame(out, 0x3, 0, stream, new byte[] {0, 0, 0, 8}); // RST_STREAM CANCEL
        }
        out.flush();
      } catch (IOException e) {
        // expected once the server has sent GOAWAY and closed, possibly before the reader saw it
        closedByServer = true;
      }
      if (!closedByServer && !goAway.isDone()) {
        // Without a GOAWAY: a PING round trip shows the server has read everything sent.
        frame(out, 0x6, 0, 0, new byte[8]);
        out.flush();
        Thread.sleep(500);
        socket.shutdownOutput();
      }
      return goAway.get(15, TimeUnit.SECONDS);
    }
  }

  /**
   * Reads frames until GOAWAY; returns its error code, or -1 if the connection ends without one.
   */
  private static int readGoAway(Socket socket) {
    try {
      var in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        in.readUnsignedByte(); // flags
        in.readInt(); // stream id
        byte[] payload = in.readNBytes(length);
        if (type == GOAWAY) {
          return ((payload[4] & 0xff) << 24)
              | ((payload[5] & 0xff) << 16)
              | ((payload[6] & 0xff) << 8)
              | (payload[7] & 0xff);
        }
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    out.write(
        new byte[] {
          (byte) (payload.length >>> 16),
          (byte) (payload.length >>> 8),
          (byte) payload.length,
          (byte) type,
          (byte) flags,
          (byte) (stream >>> 24),
          (byte) (stream >>> 16),
          (byte) (stream >>> 8),
          (byte) stream
        });
    out.write(payload);
  }

  /** HPACK "literal without indexing, new name" for each field: no tables, no Huffman. */
  private static byte[] requestHeaders() {
    var block = new ByteArrayOutputStream();
    String[][] fields = {
      {":method", "POST"},
      {":scheme", "http"},
      {":path", "/ai.inference.v1.InferenceService/Complete"},
      {":authority", "127.0.0.1"},
      {"content-type", "application/grpc"},
      {"te", "trailers"},
    };
    for (String[] field : fields) {
      block.write(0);
      for (String s : field) {
        byte[] bytes = s.getBytes(US_ASCII);
        block.write(bytes.length);
        block.writeBytes(bytes);
      }
    }
    return block.toByteArray();
  }
}
