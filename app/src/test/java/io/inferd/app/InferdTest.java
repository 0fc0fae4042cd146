package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The composition root: what it starts, the order it stops in, and what it leaves alone. */
class InferdTest {
  /** Answers "ok" at once and remembers whether it was closed. */
  private static final class CannedGenerator implements TextGenerator {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public int contextLength() {
      return 4096;
    }

    @Override
    public int parallelism() {
      return 2;
    }

    @Override
    public Prompt render(List<Turn> conversation) {
      return new Prompt("prompt", 1, conversation);
    }

    @Override
    public Generation generate(GenerationRequest request, TokenSink sink) {
      sink.onToken("ok");
      return new Generation("ok", 1, 1, FinishReason.STOP);
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void start_servesGrpcRestAndMetrics_onFreePorts_andStopLeavesTheCallersModelsOpen()
      throws Exception {
    var generator = new CannedGenerator();
    ModelRegistry models = ModelRegistry.builder().generator("canned", generator).build();
    Inferd inferd =
        Inferd.start(InferdConfig.builder().ports(0, 0, 0).miniLm(false).build(), models);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", inferd.grpcPort()).usePlaintext().build();
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThat(
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(5, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.getDefaultInstance())
                  .getStatus())
          .isEqualTo(ServingStatus.SERVING);
      assertThat(get(http, inferd.httpPort(), "/v1/models").body()).contains("\"canned\"");
      assertThat(get(http, inferd.metricsPort(), "/metrics").statusCode()).isEqualTo(200);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      inferd.stop(Duration.ofSeconds(1));
    }
    assertThat(generator.closed).as("the caller's models are the caller's to close").isFalse();
    inferd.stop(Duration.ofSeconds(1)); // a second stop does nothing
  }

  @Test
  void restAndMetricsCanBeOff() throws Exception {
    ModelRegistry models =
        ModelRegistry.builder().generator("canned", new CannedGenerator()).build();
    Inferd inferd =
        Inferd.start(InferdConfig.builder().ports(0, -1, -1).miniLm(false).build(), models);
    try {
      assertThat(inferd.grpcPort()).isPositive();
      assertThat(inferd.httpPort()).isEqualTo(-1);
      assertThat(inferd.metricsPort()).isEqualTo(-1);
    } finally {
      inferd.stop(Duration.ZERO);
    }
  }

  @Test
  void aTakenPort_failsTheStart_namingItsOption_andStopsWhatAlreadyListened() throws Exception {
    var generator = new CannedGenerator();
    ModelRegistry models = ModelRegistry.builder().generator("canned", generator).build();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      InferdConfig config =
          InferdConfig.builder().ports(0, taken.getLocalPort(), -1).miniLm(false).build();
      assertThatThrownBy(() -> Inferd.start(config, models))
          .isInstanceOfSatisfying(
              Inferd.ListenException.class, e -> assertThat(e.option()).isEqualTo("--http-port"));
    }
    assertThat(generator.closed).isFalse();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
