package io.inferd.app;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code inferd serve}'s options for {@link GrpcTransport}. */
final class GrpcTransportOptions {
  @Option(
      names = "--keepalive-time",
      defaultValue = "${env:INFERD_KEEPALIVE_SECONDS:-60}",
      paramLabel = "SECONDS",
      description =
          "Server pings an idle connection after this long, to find dead peers (default ${DEFAULT-VALUE}).")
  long keepAliveSeconds;

  @Option(
      names = "--keepalive-timeout",
      defaultValue = "20",
      paramLabel = "SECONDS",
      description =
          "A ping unanswered for this long closes the connection (default ${DEFAULT-VALUE}).")
  long keepAliveTimeoutSeconds;

  @Option(
      names = "--permit-keepalive-time",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description =
          "Clients may ping at most this often; faster pingers are disconnected (default ${DEFAULT-VALUE}).")
  long permitKeepAliveSeconds;

  @Option(
      names = "--max-connection-idle",
      defaultValue = "${env:INFERD_MAX_CONNECTION_IDLE_SECONDS:-1800}",
      paramLabel = "SECONDS",
      description =
          "Close connections without calls for this long; 0 = never (default ${DEFAULT-VALUE}).")
  long maxConnectionIdleSeconds;

  @Option(
      names = "--max-connection-age",
      defaultValue = "${env:INFERD_MAX_CONNECTION_AGE_SECONDS:-1800}",
      paramLabel = "SECONDS",
      description =
          "Ask clients to reconnect after this long, so load spreads over new replicas; 0 = never (default ${DEFAULT-VALUE}).")
  long maxConnectionAgeSeconds;

  @Option(
      names = "--max-connection-age-grace",
      defaultValue = "${env:INFERD_MAX_CONNECTION_AGE_GRACE_SECONDS:-300}",
      paramLabel = "SECONDS",
      description =
          "Calls on an aged connection get this long to finish (default ${DEFAULT-VALUE}).")
  long maxConnectionAgeGraceSeconds;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "BYTES",
      defaultValue = "${env:INFERD_MAX_MESSAGE_BYTES:-4194304}",
      description =
          "Largest request message accepted; bigger ones get RESOURCE_EXHAUSTED (default ${DEFAULT-VALUE}).")
  int maxInboundMessageBytes;

  @Option(
      names = "--max-streams-per-connection",
      paramLabel = "N",
      defaultValue = "${env:INFERD_MAX_STREAMS_PER_CONNECTION:-1000}",
      description = "Concurrent calls one HTTP/2 connection may carry (default ${DEFAULT-VALUE}).")
  int maxConcurrentCallsPerConnection;

  @Option(
      names = "--max-resets-per-10s",
      paramLabel = "N",
      defaultValue = "${env:INFERD_MAX_RESETS_PER_10S:-200}",
      description =
          "Stream resets (RST_STREAM) one connection may send in 10 s before it gets GOAWAY"
              + " ENHANCE_YOUR_CALM (HTTP/2 rapid reset); 0 = no limit (default ${DEFAULT-VALUE}).")
  int maxResetsPer10s;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      defaultValue = "${env:INFERD_TLS_CERT}",
      description = "Serve TLS with this certificate chain (PEM); needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      defaultValue = "${env:INFERD_TLS_KEY}",
      description = "Private key of --tls-cert (PKCS#8 PEM).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      defaultValue = "${env:INFERD_TLS_CLIENT_CA}",
      description = "Require client certificates signed by these CAs (mutual TLS).")
  Path tlsClientCa;

  /** The options as settings; fails on TLS options that do not go together. */
  GrpcTransport settings() {
    return new GrpcTransport(
        Duration.ofSeconds(keepAliveSeconds),
        Duration.ofSeconds(keepAliveTimeoutSeconds),
        Duration.ofSeconds(permitKeepAliveSeconds),
        Duration.ofSeconds(maxConnectionIdleSeconds),
        Duration.ofSeconds(maxConnectionAgeSeconds),
        Duration.ofSeconds(maxConnectionAgeGraceSeconds),
        maxInboundMessageBytes,
        maxConcurrentCallsPerConnection,
        maxResetsPer10s,
        tlsCert,
        tlsKey,
        tlsClientCa);
  }
}
