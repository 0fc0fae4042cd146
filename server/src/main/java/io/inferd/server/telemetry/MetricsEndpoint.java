package io.inferd.server.telemetry;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.inferd.server.rest.ListenerSettings;
import java.io.IOException;

/**
 * {@code GET /metrics} in the Prometheus text format on a port of its own, so metrics stay up when
 * the REST gateway is off. A Helidon server (a virtual thread per connection, the REST port's
 * timeouts and TLS): one client that stalls mid-request cannot hold up the next scrape.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final WebServer server;
  private final boolean secure;

  private MetricsEndpoint(WebServer server, boolean secure) {
    this.server = server;
    this.secure = secure;
  }

  /** Plaintext with the default limits. */
  public static MetricsEndpoint start(String host, int port, InferdMetrics metrics)
      throws IOException {
    return start(host, port, metrics, ListenerSettings.defaults());
  }

  public static MetricsEndpoint start(
      String host, int port, InferdMetrics metrics, ListenerSettings listener) throws IOException {
    var web =
        WebServer.builder()
            .host(host)
            .port(port)
            .shutdownHook(false)
            .maxPayloadSize(0)
            .routing(
                routing ->
                    routing
                        .get(
                            "/metrics",
                            (req, res) -> {
                              res.header(
                                  HeaderNames.CONTENT_TYPE,
                                  "text/plain; version=0.0.4; charset=utf-8");
                              res.send(metrics.scrape());
                            })
                        .any("/metrics", (req, res) -> res.status(405).send()));
    listener.applyTo(web);
    WebServer started = web.build().start();
    if (!started.isRunning()) {
      throw new IOException("cannot listen on " + host + ":" + port + " for /metrics; see the log");
    }
    return new MetricsEndpoint(started, listener.secure());
  }

  public int port() {
    return server.port();
  }

  /** Whether the port speaks TLS. */
  public boolean secure() {
    return secure;
  }

  @Override
  public void close() {
    server.stop();
  }
}
