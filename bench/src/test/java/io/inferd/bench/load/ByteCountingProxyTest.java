package io.inferd.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ByteCountingProxyTest {
  private ServerSocket echo;

  /** A server that answers every byte with two bytes, so the directions are told apart. */
  @BeforeEach
  void startEchoServer() throws Exception {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket socket = echo.accept();
                  Thread.ofVirtual().start(() -> doubleEcho(socket));
                } catch (Exception e) {
                  return;
                }
              }
            });
  }

  private static void doubleEcho(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (Exception ignored) {
      // the client closed
    }
  }

  @AfterEach
  void stop() throws Exception {
    echo.close();
  }

  @Test
  void counts_everyByteInEachDirection_andEveryConnection() throws Exception {
    try (ByteCountingProxy proxy = new ByteCountingProxy(echo.getLocalPort())) {
      byte[] request = new byte[100_000];
      Arrays.fill(request, (byte) 7);
      for (int connection = 0; connection < 2; connection++) {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
          client.getOutputStream().write(request);
          client.shutdownOutput();
          byte[] answer = client.getInputStream().readAllBytes();
          assertThat(answer).hasSize(2 * request.length);
        }
      }
      assertThat(proxy.upstreamBytes()).isEqualTo(2L * request.length);
      assertThat(proxy.downstreamBytes()).isEqualTo(4L * request.length);
      assertThat(proxy.connections()).isEqualTo(2);
    }
  }
}
