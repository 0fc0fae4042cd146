package io.inferd.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The control endpoint's heap peak comes from what each collection found, not from polling. */
class ControlEndpointTest {
  private static final JsonMapper JSON = new JsonMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void peakHeapUsed_seesWhatACollectionFound_evenWhenItIsGoneAfterwards() throws Exception {
    try (ControlEndpoint control = ControlEndpoint.start("127.0.0.1")) {
      get(control, "/reset");
      byte[][] garbage = new byte[64][];
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = new byte[1 << 20];
      }
      long held = garbage.length * (long) garbage[0].length;
      System.gc(); // the 64 MiB are still reachable here: this collection reports them
      garbage = null;
      System.gc();

      long peak = 0;
      long giveUpAt = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      // GC notifications arrive on a JMX thread, a little after the collection.
      while (peak < held && System.nanoTime() < giveUpAt) {
        Thread.sleep(20);
        peak = get(control, "/stats").path("peakHeapUsed").asLong();
      }
      assertThat(peak).isGreaterThanOrEqualTo(held);
      assertThat(get(control, "/stats").path("heapUsed").asLong()).isLessThan(peak);
    }
  }

  private JsonNode get(ControlEndpoint control, String path) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
