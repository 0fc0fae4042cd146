package io.inferd.app;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `inferd serve` under a small file-descriptor limit (prlimit), run out of descriptors by idle
 * connections to its gRPC port: the REST listener dies on "Too many open files" and must come back
 * once descriptors are free again, instead of leaving a dead port in a live process.
 */
class RestListenerRecoveryEndToEndTest {
  private static final Pattern READY =
      Pattern.compile("inferd ready: grpc=127\\.0\\.0\\.1:(\\d+) http=127\\.0\\.0\\.1:(\\d+)");
  private static final int FD_LIMIT = 400;

  @TempDir Path dir;
  private Process process;
  private final List<Socket> flood = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    closeFlood();
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void restListener_outOfFileDescriptors_listensAgainOnceTheyAreFree() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit");
    List<String> command = new ArrayList<>();
    command.addAll(List.of("/usr/bin/prlimit", "--nofile=" + FD_LIMIT + ":" + FD_LIMIT));
    command.addAll(ServeProcesses.javaMain());
    command.addAll(
        List.of(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--http-port",
            "0",
            "--metrics-port",
            "-1",
            "--no-embeddings",
            "--parallel",
            "1",
            "--model",
            "tiny=" + TestModels.tinyFile()));
    Path log = dir.resolve("stderr.log");
    process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    Matcher ready = ServeProcesses.awaitLine(process, READY);
    int[] ports = {Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2))};
    int grpcPort = ports[0];
    int httpPort = ports[1];
    assertThat(health(httpPort, 20_000)).startsWith("HTTP/1.1 200");

    // Idle TCP connections to the gRPC port take the server's last descriptors (Netty has no cap).
    for (int i = 0; i < FD_LIMIT + 50; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", grpcPort), 500);
        flood.add(socket);
      } catch (IOException backlogFull) {
        socket.close();
        break;
      }
    }
    Thread.sleep(1_000); // let Netty accept what it can
    try {
      health(httpPort, 2_000); // its accept fails: EMFILE
    } catch (IOException expected) {
      // no answer while the process has no descriptor left
    }
    closeFlood();

    String answer = "";
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!answer.startsWith("HTTP/1.1 200") && System.nanoTime() < until) {
      Thread.sleep(250);
      try {
        answer = health(httpPort, 2_000);
      } catch (IOException notYet) {
        answer = "";
      }
    }
    String stderr = Files.readString(log);
    assertThat(answer)
        .as("REST answers again; server log:%n%s", tail(stderr))
        .startsWith("HTTP/1.1 200");
  }

  private void closeFlood() throws IOException {
    for (Socket socket : flood) {
      socket.close();
    }
    flood.clear();
  }

  private static String tail(String text) {
    return text.length() < 4000 ? text : text.substring(text.length() - 4000);
  }

  private static String health(int port, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(timeoutMillis);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
      return new String(socket.getInputStream().readNBytes(12), US_ASCII);
    }
  }
}
