package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.engine.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS from PEM files, and the message-size limit, as `inferd serve` configures them.
 */
class TransportSecurityEndToEndTest {
  @TempDir Path dir;
  private Inferd server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private void start(GrpcTransportOptions transport) throws Exception {
    var registry = ModelRegistry.builder().generator("tiny", TestModels.tiny()).build();
    server =
        Inferd.start(
            RunningServer.testConfig().parallel(1).queue(1).transport(transport.settings()).build(),
            registry);
  }

  private static GrpcTransportOptions defaults() {
    var options = new GrpcTransportOptions();
    options.keepAliveSeconds = 60;
    options.keepAliveTimeoutSeconds = 20;
    options.permitKeepAliveSeconds = 10;
    options.maxConnectionIdleSeconds = 1800;
    options.maxConnectionAgeSeconds = 1800;
    options.maxConnectionAgeGraceSeconds = 300;
    options.maxInboundMessageBytes = 4 << 20;
    options.maxConcurrentCallsPerConnection = 100;
    return options;
  }

  private String complete(ChannelCredentials credentials) {
    channel = NettyChannelBuilder.forAddress("localhost", server.grpcPort(), credentials).build();
    return InferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .complete(
            CompleteRequest.newBuilder()
                .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
                .setMaxTokens(2)
                .build())
        .getChoices(0)
        .getFinishReason();
  }

  @Test
  void tls_servesClientsThatTrustTheCa_andRefusesPlaintext() throws Exception {
    var certs = TestCertificates.create(dir);
    var options = defaults();
    options.tlsCert = certs.serverCert;
    options.tlsKey = certs.serverKey;
    start(options);

    assertThat(
            complete(
                TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build()))
        .isIn("stop", "length");
    channel.shutdownNow();
    assertThatThrownBy(() -> complete(InsecureChannelCredentials.create()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void mutualTls_requiresAClientCertificateFromTheClientCa() throws Exception {
    var certs = TestCertificates.create(dir);
    var options = defaults();
    options.tlsCert = certs.serverCert;
    options.tlsKey = certs.serverKey;
    options.tlsClientCa = certs.caCert;
    start(options);

    assertThatThrownBy(
            () ->
                complete(
                    TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    channel.shutdownNow();
    assertThat(
            complete(
                TlsChannelCredentials.newBuilder()
                    .trustManager(certs.caCert.toFile())
                    .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
                    .build()))
        .isIn("stop", "length");
  }

  @Test
  void oversizedRequest_isResourceExhausted_namingTheLimit() throws Exception {
    var options = defaults();
    options.maxInboundMessageBytes = 1024;
    start(options);
    assertThatThrownBy(
            () -> {
              channel =
                  NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                      .usePlaintext()
                      .build();
              InferenceServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .complete(
                      CompleteRequest.newBuilder()
                          .addMessages(
                              Message.newBuilder().setRole("user").setContent("x".repeat(5000)))
                          .build());
            })
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).contains("1024");
            });
  }
}
