package io.inferd.client.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.inferd.client.testing.FakeInferenceService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The README's example against a server on 127.0.0.1, over the network as a user runs it. */
class QuickStartTest {
  private Server server;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new FakeInferenceService())
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void quickStart_printsTheAnswer_thenTheStreamedAnswer() {
    PrintStream stdout = System.out;
    var captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuickStart.main(new String[] {"127.0.0.1:" + server.getPort()});
    } finally {
      System.setOut(stdout);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("echo: And God said", "echo: In the beginning");
  }
}
