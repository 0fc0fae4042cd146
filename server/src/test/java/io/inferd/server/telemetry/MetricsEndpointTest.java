package io.inferd.server.telemetry;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.Scheduler;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  @Test
  void aClientStalledMidRequest_doesNotHoldUpTheNextScrape() throws Exception {
    var metrics = new InferdMetrics(new Scheduler(1, 1, 100));
    try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics);
        Socket stalled = new Socket("127.0.0.1", endpoint.port());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      stalled.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(US_ASCII));
      stalled.getOutputStream().flush();
      Thread.sleep(200); // the stalled request reaches the server first

      var response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("# TYPE");
    }
  }
}
