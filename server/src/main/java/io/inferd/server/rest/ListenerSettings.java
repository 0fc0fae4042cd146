package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServerConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How an HTTP listener (the REST gateway, /metrics) holds up against clients that hold connections:
 * an idle timeout, a connection limit below the process's file-descriptor limit, a request limit,
 * and TLS or mutual TLS from the same PEM files as gRPC. Helidon 4.5 has no timeout for a request
 * whose headers or body stall (its socket read timeout does not reach server connections, and its
 * idle check skips a connection mid-request); the REST gateway adds one ({@code requestTimeout}).
 *
 * @param idleTimeout a connection with no traffic for this long is closed
 * @param maxConnections open connections; more wait in the kernel's backlog
 * @param maxConcurrentRequests requests handled at once; more are answered 503 at once
 * @param tls null for plaintext
 * @param requestTimeout a request whose headers and body have not all arrived this long after its
 *     request line is cut (REST port only)
 */
public record ListenerSettings(
    Duration idleTimeout,
    int maxConnections,
    int maxConcurrentRequests,
    Tls tls,
    Duration requestTimeout) {
  /** Requests get {@link #DEFAULT_REQUEST_TIMEOUT} to arrive. */
  public ListenerSettings(
      Duration idleTimeout, int maxConnections, int maxConcurrentRequests, Tls tls) {
    this(idleTimeout, maxConnections, maxConcurrentRequests, tls, DEFAULT_REQUEST_TIMEOUT);
  }

  /** How long a client may take to send a request's headers and body, by default. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public ListenerSettings {
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
    if (maxConnections < 1 || maxConcurrentRequests < 1) {
      throw new IllegalArgumentException(
          "maxConnections: "
              + maxConnections
              + ", maxConcurrentRequests: "
              + maxConcurrentRequests
              + " (expected: >= 1)");
    }
  }

  /** Plaintext, 60 s idle, connections capped by {@link #defaultMaxConnections()}. */
  public static ListenerSettings defaults() {
    return new ListenerSettings(Duration.ofSeconds(60), defaultMaxConnections(), 1024, null);
  }

  public ListenerSettings withTls(Tls tls) {
    return new ListenerSettings(
        idleTimeout, maxConnections, maxConcurrentRequests, tls, requestTimeout);
  }

  public boolean secure() {
    return tls != null;
  }

  /**
   * Half the process's file-descriptor limit (at most 10,000), so that a flood of connections to
   * this port leaves descriptors for gRPC, models and the listener's own accept.
   */
  public static int defaultMaxConnections() {
    long fds = 4096;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fds = unix.getMaxFileDescriptorCount();
    }
    return (int) Math.max(16, Math.min(10_000, fds / 2));
  }

  /** TLS from PEM files; with {@code clientCa} (may be null) clients must present a certificate. */
  public static Tls tls(Path cert, Path key, Path clientCa) {
    Keys serverKeys =
        Keys.builder()
            .pem(pem -> pem.key(Resource.create(key)).certChain(Resource.create(cert)))
            .build();
    var tls = Tls.builder().privateKey(serverKeys).privateKeyCertChain(serverKeys);
    if (clientCa != null) {
      tls.trust(Keys.builder().pem(pem -> pem.certificates(Resource.create(clientCa))).build())
          .clientAuth(TlsClientAuth.REQUIRED);
    }
    return tls.build();
  }

  /** Applies these settings to a Helidon server's default listener. */
  public void applyTo(WebServerConfig.Builder server) {
    server
        .idleConnectionTimeout(idleTimeout)
        .idleConnectionPeriod(Duration.ofMillis(Math.max(100, idleTimeout.toMillis() / 4)))
        .maxTcpConnections(maxConnections)
        .maxConcurrentRequests(maxConcurrentRequests)
        // Each SSE event must leave at once: with Nagle on, small writes wait for the client's
        // delayed ACK (~40 ms before the first event on a kept-alive connection).
        .connectionOptions(socket -> socket.tcpNoDelay(true));
    if (tls != null) {
      server.tls(tls);
    }
  }
}
