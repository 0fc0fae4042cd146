package io.inferd.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.bench.Payloads;
import io.inferd.bench.server.BenchServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Both drivers complete every scenario against the real server wiring, and the load runner counts.
 */
class DriversTest {
  private static BenchServer.Running server;

  @BeforeAll
  static void start() throws Exception {
    SLF4JBridgeHandler
        .removeHandlersForRootLogger(); // Helidon's java.util.logging → Logback (quiet)
    SLF4JBridgeHandler.install();
    server = BenchServer.startInProcess("--parallel", "16", "--queue", "16");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static int port(Protocol protocol) {
    return protocol == Protocol.GRPC ? server.grpcPort() : server.httpPort();
  }

  @ParameterizedTest(name = "{1} over {0}")
  @CsvSource({
    "GRPC, UNARY",
    "GRPC, STREAM",
    "GRPC, EMBED",
    "REST, UNARY",
    "REST, STREAM",
    "REST, EMBED"
  })
  void driver_completesAndChecksEveryCall(Protocol protocol, Scenario scenario) throws Exception {
    try (CallDriver driver =
        LevelMeasurement.driver(protocol, port(protocol), Work.bench(scenario))) {
      Metrics metrics = new Metrics();
      for (int i = 0; i < 3; i++) {
        Metrics.CallTimer timer = metrics.startCall();
        driver.call(timer); // throws if the answer is incomplete

        assertThat(timer.tokens())
            .isEqualTo(scenario == Scenario.STREAM ? Payloads.STREAM_TOKENS : 0);
      }
    }
  }

  @Test
  void loadRunner_countsCallsThatFinishInTheWindow_withoutErrors() throws Exception {
    try (CallDriver driver =
        LevelMeasurement.driver(Protocol.GRPC, port(Protocol.GRPC), Work.bench(Scenario.STREAM))) {
      LoadRunner.Outcome outcome =
          LoadRunner.run(
              driver,
              2,
              Duration.ofMillis(200),
              Duration.ofSeconds(2),
              LoadRunner.WindowListener.NONE);

      assertThat(outcome.window().errors()).isEmpty();
      assertThat(outcome.calls()).isPositive();
      assertThat(outcome.window().ttft().getTotalCount()).isPositive();
      assertThat(outcome.window().tokens()).isPositive();
      assertThat(outcome.seconds()).isBetween(1.9, 10.0);
    }
  }
}
