package io.inferd.app;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.common.tls.Tls;
import io.inferd.server.rest.ListenerSettings;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The transport settings a production gRPC server needs: keepalive, connection idle and age limits
 * (so long-lived HTTP/2 connections rebalance behind load balancers), message and stream limits,
 * and TLS or mutual TLS from PEM files (null: plaintext). A zero idle or age limit means never.
 */
public record GrpcTransport(
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int maxInboundMessageBytes,
    int maxConcurrentCallsPerConnection,
    int maxResetsPer10s,
    Path tlsCert,
    Path tlsKey,
    Path tlsClientCa) {
  public GrpcTransport {
    if (tlsCert == null && tlsKey == null && tlsClientCa != null) {
      throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
    }
  }

  /** {@code inferd serve}'s defaults, plaintext. */
  public static GrpcTransport defaults() {
    return new GrpcTransport(
        Duration.ofSeconds(60),
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        Duration.ofSeconds(1800),
        Duration.ofSeconds(1800),
        Duration.ofSeconds(300),
        4 << 20,
        1000,
        200,
        null,
        null,
        null);
  }

  public GrpcTransport withMaxConcurrentCallsPerConnection(int calls) {
    return new GrpcTransport(
        keepAliveTime,
        keepAliveTimeout,
        permitKeepAliveTime,
        maxConnectionIdle,
        maxConnectionAge,
        maxConnectionAgeGrace,
        maxInboundMessageBytes,
        calls,
        maxResetsPer10s,
        tlsCert,
        tlsKey,
        tlsClientCa);
  }

  public boolean tls() {
    return tlsCert != null;
  }

  /** What the ready line appends to a port's protocol: "", "+tls" or "+mtls". */
  public String security() {
    return tlsCert == null ? "" : tlsClientCa == null ? "+tls" : "+mtls";
  }

  /** The same certificate (and client CAs) for the HTTP ports; null without TLS. */
  Tls httpTls() {
    return tls() ? ListenerSettings.tls(tlsCert, tlsKey, tlsClientCa) : null;
  }

  NettyServerBuilder builder(SocketAddress address) throws IOException {
    NettyServerBuilder builder =
        tls()
            ? NettyServerBuilder.forAddress(address, credentials())
            : NettyServerBuilder.forAddress(address);
    builder
        .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(maxInboundMessageBytes)
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection);
    if (maxResetsPer10s > 0) { // HTTP/2 rapid reset: GOAWAY ENHANCE_YOUR_CALM beyond this
      builder.maxRstFramesPerWindow(maxResetsPer10s, 10);
    }
    if (maxConnectionIdle.isPositive()) {
      builder.maxConnectionIdle(maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (maxConnectionAge.isPositive()) {
      builder
          .maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS)
          .maxConnectionAgeGrace(maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
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
