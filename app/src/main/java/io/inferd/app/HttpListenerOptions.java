package io.inferd.app;

import io.inferd.server.rest.ListenerSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Limits of the HTTP ports (REST and /metrics): idle timeout and connection caps. */
final class HttpListenerOptions {
  @Option(
      names = "--http-idle-timeout",
      defaultValue = "${env:INFERD_HTTP_IDLE_TIMEOUT_SECONDS:-60}",
      paramLabel = "SECONDS",
      description =
          "An HTTP connection with no traffic for this long is closed (default ${DEFAULT-VALUE}).")
  long idleTimeoutSeconds = 60;

  @Option(
      names = "--http-request-timeout",
      defaultValue = "${env:INFERD_HTTP_REQUEST_TIMEOUT_SECONDS:-30}",
      paramLabel = "SECONDS",
      description =
          "A REST request whose headers and body have not all arrived this long after its request"
              + " line is cut: the connection closes (slowloris; default ${DEFAULT-VALUE}).")
  long requestTimeoutSeconds = 30;

  @Option(
      names = "--http-max-connections",
      paramLabel = "N",
      defaultValue = "${env:INFERD_HTTP_MAX_CONNECTIONS:-0}",
      description =
          "Open connections the REST port accepts; more wait in the backlog. 0: half the process's"
              + " file-descriptor limit, at most 10000 (default).")
  int maxConnections;

  @Option(
      names = "--http-max-requests",
      paramLabel = "N",
      defaultValue = "${env:INFERD_HTTP_MAX_REQUESTS:-1024}",
      description =
          "REST requests handled at once; more get 503 at once (default ${DEFAULT-VALUE}).")
  int maxRequests = 1024;

  ListenerSettings settings() {
    if (idleTimeoutSeconds < 1) {
      throw new IllegalArgumentException(
          "--http-idle-timeout: " + idleTimeoutSeconds + " (expected: >= 1 second)");
    }
    if (requestTimeoutSeconds < 1) {
      throw new IllegalArgumentException(
          "--http-request-timeout: " + requestTimeoutSeconds + " (expected: >= 1 second)");
    }
    return new ListenerSettings(
        Duration.ofSeconds(idleTimeoutSeconds),
        maxConnections > 0 ? maxConnections : ListenerSettings.defaultMaxConnections(),
        maxRequests,
        null,
        Duration.ofSeconds(requestTimeoutSeconds));
  }
}
