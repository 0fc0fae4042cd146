package io.inferd.server;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.common.tls.Tls;
import io.inferd.server.rest.ListenerSettings;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * The transport settings a production gRPC server needs: keepalive, connection idle and age limits (so
 * long-lived HTTP/2 connections rebalance behind load balancers), message and stream limits, and TLS
 * or mutual TLS from PEM files.
 */
final class GrpcTransportOptions {
  @Option(
      names = "--keepalive-time",
      defaultValue = "${env:INFERD_KEEPALIVE_SECONDS:-60}",
      paramLabel = "SECONDS",
      description = "Server pings an idle connection after this long, to find dead peers (default ${DEFAULT-VALUE}).")
  long keepAliveSeconds;

  @Option(
      names = "--keepalive-timeout",
      defaultValue = "20",
      paramLabel = "SECONDS",
      description = "A ping unanswered for this long closes the connection (default ${DEFAULT-VALUE}).")
  long keepAliveTimeoutSeconds;

  @Option(
      names = "--permit-keepalive-time",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description = "Clients may ping at most this often; faster pingers are disconnected (default ${DEFAULT-VALUE}).")
  long permitKeepAliveSeconds;

  @Option(
      names = "--max-connection-idle",
      defaultValue = "${env:INFERD_MAX_CONNECTION_IDLE_SECONDS:-1800}",
      paramLabel = "SECONDS",
      description = "Close connections without calls for this long; 0 = never (default ${DEFAULT-VALUE}).")
  long maxConnectionIdleSeconds;

  @Option(
      names = "--max-connection-age",
      defaultValue = "${env:INFERD_MAX_CONNECTION_AGE_SECONDS:-1800}",
      paramLabel = "SECONDS",
      description = "Ask clients to reconnect after this long, so load spreads over new replicas; 0 = never (default ${DEFAULT-VALUE}).")
  long maxConnectionAgeSeconds;

  @Option(
      names = "--max-connection-age-grace",
      defaultValue = "${env:INFERD_MAX_CONNECTION_AGE_GRACE_SECONDS:-300}",
      paramLabel = "SECONDS",
      description = "Calls on an aged connection get this long to finish (default ${DEFAULT-VALUE}).")
  long maxConnectionAgeGraceSeconds;

  @Option(
      names = "--max-message-bytes",
      defaultValue = "${env:INFERD_MAX_MESSAGE_BYTES:-4194304}",
      description = "Largest request message accepted; bigger ones get RESOURCE_EXHAUSTED (default ${DEFAULT-VALUE}).")
  int maxInboundMessageBytes;

  @Option(
      names = "--max-streams-per-connection",
      defaultValue = "${env:INFERD_MAX_STREAMS_PER_CONNECTION:-1000}",
      description = "Concurrent calls one HTTP/2 connection may carry (default ${DEFAULT-VALUE}).")
  int maxConcurrentCallsPerConnection;

  @Option(
      names = "--max-resets-per-10s",
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

  boolean tls() {
    return tlsCert != null;
  }

  /** What the ready line appends to a port's protocol: "", "+tls" or "+mtls". */
  String security() {
    return tlsCert == null ? "" : tlsClientCa == null ? "+tls" : "+mtls";
  }

  /** The same certificate (and client CAs) for the HTTP ports; null without TLS. */
  Tls httpTls() {
    return tlsCert == null || tlsKey == null
        ? null
        : ListenerSettings.tls(tlsCert, tlsKey, tlsClientCa);
  }

  NettyServerBuilder builder(SocketAddress address) throws IOException {
    NettyServerBuilder builder;
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null) {
        throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
      }
      builder = NettyServerBuilder.forAddress(address);
    } else {
      if (tlsCert == null || tlsKey == null) {
        throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
      }
      builder = NettyServerBuilder.forAddress(address, credentials());
    }
    builder
        .keepAliveTime(keepAliveSeconds, TimeUnit.SECONDS)
        .keepAliveTimeout(keepAliveTimeoutSeconds, TimeUnit.SECONDS)
        .permitKeepAliveTime(permitKeepAliveSeconds, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(maxInboundMessageBytes)
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection);
    if (maxResetsPer10s > 0) {
      builder.maxRstFramesPerWindow(maxResetsPer10s, 10);
    }
    if (maxConnectionIdleSeconds > 0) {
      builder.maxConnectionIdle(maxConnectionIdleSeconds, TimeUnit.SECONDS);
    }
    if (maxConnectionAgeSeconds > 0) {
      builder
          .maxConnectionAge(maxConnectionAgeSeconds, TimeUnit.SECONDS)
          .maxConnectionAgeGrace(maxConnectionAgeGraceSeconds, TimeUnit.SECONDS);
    }
    return builder;
  }

  private ServerCredentials credentials() throws IOException {
    TlsServerCredentials.Builder tls =
        TlsServerCredentials.newBuilder().keyManager(tlsCert.toFile(), tlsKey.toFile());
    if (tlsClientCa != null) {
      tls.trustManager(tlsClientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return tls.build();
  }
}
