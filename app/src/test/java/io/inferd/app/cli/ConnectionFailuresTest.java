package io.inferd.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A call that cannot reach an inferd server ends in one line naming the target and the fix. */
class ConnectionFailuresTest {
  private record Run(int exitCode, String err) {}

  /** The real verb over a real channel to {@code target}, no retries. */
  private static Run run(String verb, String target) {
    CommandLine cli = Cli.commandLine(CommandLine.defaultFactory());
    var err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(verb, "--target", target, "--retries", "0", "--deadline", "10s", "hi");
    return new Run(code, err.toString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort(); // closed again: nothing listens there now
    }
  }

  @Test
  void deadServer_isOneLine_namingTheTarget_andSuggestingServeOrTarget() throws Exception {
    String target = "127.0.0.1:" + freePort();
    for (String verb : new String[] {"complete", "stream", "embed"}) {
      Run run = run(verb, target);

      assertThat(run.exitCode()).as(verb).isEqualTo(1);
      assertThat(run.err().strip().lines()).as(verb).hasSize(1);
      assertThat(run.err())
          .as(verb)
          .startsWith("error: no inferd server at " + target + " (connection refused)")
          .contains("./inferd serve", "--target")
          .doesNotContain("finishConnect", "io exception", "UNAVAILABLE");
    }
  }

  @Test
  void httpServerGivenAsTheGrpcTarget_saysItDoesNotSpeakGrpc() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        exchange -> {
          byte[] body = "<!DOCTYPE html><p>not gRPC</p>".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(404, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    http.start();
    try {
      String target = "127.0.0.1:" + http.getAddress().getPort();
      Run run = run("complete", target);

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err().strip().lines()).hasSize(1);
      assertThat(run.err())
          .startsWith("error: " + target + " does not speak gRPC")
          .contains("REST port", "--target")
          .doesNotContain("SETTINGS", "Hex dump");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void unresolvableHost_saysTheLookupFailed() {
    Status status =
        Status.UNAVAILABLE
            .withDescription("Unable to resolve host nosuch.invalid")
            .withCause(new UnknownHostException("nosuch.invalid"));

    assertThat(ConnectionFailures.explain(status, "nosuch.invalid:50051"))
        .hasValue(
            "cannot resolve the host of nosuch.invalid:50051 (DNS lookup failed); check the name"
                + " in --target HOST:PORT");
  }

  @Test
  void failuresOfTheCallItself_areLeftToTheStatusLine() {
    assertThat(ConnectionFailures.explain(Status.UNAVAILABLE.withDescription("shutting down"), "x"))
        .isEmpty();
    assertThat(ConnectionFailures.explain(Status.RESOURCE_EXHAUSTED, "x")).isEmpty();
    assertThat(ConnectionFailures.explain(Status.INVALID_ARGUMENT, "x")).isEmpty();
  }
}
