package io.inferd.client;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.NameResolver;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.client.testing.FakeInferenceService;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Client-side load balancing over real Netty servers on 127.0.0.1: list targets, round robin,
 * health checks, and grpc-java's transparent retry of calls that never reached a server.
 */
class LoadBalancingTest {
  private final List<Replica> replicas = new ArrayList<>();
  private InferenceClient client;
  private RefusingServer refusing;

  /** A fake inference server with the health service, on 127.0.0.1:0. */
  private static final class Replica {
    final FakeInferenceService service = new FakeInferenceService();
    final HealthStatusManager health = new HealthStatusManager();
    final Server server;

    Replica() throws IOException {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(service)
              .addService(health.getHealthService())
              .build()
              .start();
      health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    }

    String address() {
      return "127.0.0.1:" + server.getPort();
    }

    int calls() {
      return service.completeRequests.size();
    }
  }

  private List<Replica> start(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      replicas.add(new Replica());
    }
    return replicas;
  }

  private String listTarget() {
    return replicas.stream().map(Replica::address).collect(Collectors.joining(","));
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    for (Replica replica : replicas) {
      replica.server.shutdownNow().awaitTermination(5, SECONDS);
    }
    if (refusing != null) {
      refusing.close();
    }
  }

  private void callTimes(int times) {
    for (int i = 0; i < times; i++) {
      var answer = client.complete(Prompts.complete("hi " + i), Duration.ofSeconds(10));
      assertThat(answer.getChoices(0).getMessage().getContent()).isEqualTo("echo: hi " + i);
    }
  }

  /** Round robin only uses READY servers: wait until each has had a call, as a warm-up. */
  private void warmUp() throws InterruptedException {
    long until = System.nanoTime() + SECONDS.toNanos(10);
    while (replicas.stream().anyMatch(r -> r.calls() == 0) && System.nanoTime() < until) {
      callTimes(1);
      Thread.sleep(5);
    }
    assertThat(replicas).allSatisfy(r -> assertThat(r.calls()).isPositive());
  }

  @Test
  void listTarget_defaultsToRoundRobin_andSpreadsCallsEvenlyOverEveryServer() throws Exception {
    start(3);
    client = InferenceClient.builder(listTarget()).noLogging().build();
    warmUp();
    int[] before = replicas.stream().mapToInt(Replica::calls).toArray();

    callTimes(30);

    for (int i = 0; i < replicas.size(); i++) {
      assertThat(replicas.get(i).calls() - before[i]).as("calls to replica %d", i).isEqualTo(10);
    }
  }

  @Test
  void roundRobin_skipsAServerReportingNotServing_andReturnsToItWhenServingAgain()
      throws Exception {
    start(3);
    client = InferenceClient.builder(listTarget()).noLogging().build();
    warmUp();
    Replica draining = replicas.get(1);

    draining.health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    awaitCallsStopReaching(draining);
    int during = draining.calls();
    callTimes(20);
    assertThat(draining.calls()).as("calls to the NOT_SERVING replica").isEqualTo(during);

    draining.health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    long until = System.nanoTime() + SECONDS.toNanos(10);
    while (draining.calls() == during && System.nanoTime() < until) {
      callTimes(1);
    }
    assertThat(draining.calls()).as("calls once SERVING again").isGreaterThan(during);
  }

  /** The health update travels asynchronously: call until two rounds miss the replica. */
  private void awaitCallsStopReaching(Replica replica) {
    long until = System.nanoTime() + SECONDS.toNanos(10);
    int quietCalls = 0;
    while (quietCalls < 2 * replicas.size() && System.nanoTime() < until) {
      int before = replica.calls();
      callTimes(1);
      quietCalls = replica.calls() == before ? quietCalls + 1 : 0;
    }
    assertThat(quietCalls).as("calls in a row that avoided the replica").isGreaterThanOrEqualTo(6);
  }

  @Test
  void roundRobin_stopsCallingAServerThatDied_withoutFailedCalls() throws Exception {
    start(3);
    client = InferenceClient.builder(listTarget()).noLogging().build();
    warmUp();
    Replica dead = replicas.get(2);
    dead.server.shutdownNow().awaitTermination(5, SECONDS);
    int atDeath = dead.calls();

    callTimes(30);

    assertThat(dead.calls()).isEqualTo(atDeath);
    assertThat(replicas.get(0).calls() + replicas.get(1).calls()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void callRefusedBeforeReachingAServer_isRetriedTransparentlyOnTheNext_evenWithoutRetryPolicy()
      throws Exception {
    start(1);
    refusing = new RefusingServer();
    client =
        InferenceClient.builder(refusing.address() + "," + replicas.get(0).address())
            .loadBalancing(LoadBalancing.roundRobin().withoutHealthChecks())
            .noRetry()
            .noLogging()
            .build();
    // Both connections must be READY for round robin to alternate between them; until then a
    // call may meet the refusing server twice, and only the first refusal is retried for free.
    long until = System.nanoTime() + SECONDS.toNanos(10);
    while (refusing.refused.get() == 0 && System.nanoTime() < until) {
      try {
        client.complete(Prompts.complete("warm-up"), Duration.ofSeconds(10));
      } catch (StatusRuntimeException e) {
        Thread.sleep(10);
      }
    }
    int refusedBefore = refusing.refused.get();
    int servedBefore = replicas.get(0).calls();

    callTimes(10); // each asserts its answer: none fails

    assertThat(refusing.refused.get() - refusedBefore)
        .as("streams refused")
        .isGreaterThanOrEqualTo(4);
    assertThat(replicas.get(0).calls() - servedBefore).isEqualTo(10);
  }

  @Test
  void serviceConfig_holdsTheRetryPolicyAndTheBalancingPolicyTogether() {
    Map<String, ?> config =
        LoadBalancing.roundRobin().addTo(RetryPolicy.defaults().serviceConfig());

    assertThat(config.get("methodConfig"))
        .isEqualTo(RetryPolicy.defaults().serviceConfig().get("methodConfig"));
    assertThat(config.get("loadBalancingConfig"))
        .isEqualTo(List.of(Map.of("round_robin", Map.of())));
    assertThat(config.get("healthCheckConfig"))
        .isEqualTo(Map.of("serviceName", "ai.inference.v1.InferenceService"));
    assertThat(LoadBalancing.pickFirst().serviceConfig()).doesNotContainKey("healthCheckConfig");
    assertThatThrownBy(() -> LoadBalancing.of("random", true))
        .hasMessageContaining("expected: round_robin or pick_first");
  }

  @Test
  void targets_aBareListBecomesStatic_andOtherTargetsStayAsTheyAre() {
    assertThat(Targets.normalize("10.0.0.1:50051, 10.0.0.2:50051"))
        .isEqualTo("static:///10.0.0.1%3A50051,10.0.0.2%3A50051");
    assertThat(Targets.normalize("127.0.0.1:50051")).isEqualTo("127.0.0.1:50051");
    assertThat(Targets.normalize("dns:///inferd.internal:50051"))
        .isEqualTo("dns:///inferd.internal:50051");
    assertThat(InferenceClient.builder("a:1,b:2").effectiveLoadBalancing())
        .isEqualTo(LoadBalancing.roundRobin());
    assertThat(InferenceClient.builder("a:1").effectiveLoadBalancing()).isNull();
    assertThat(
            InferenceClient.builder("dns:///a:1")
                .loadBalancing(LoadBalancing.roundRobin())
                .effectiveLoadBalancing())
        .isEqualTo(LoadBalancing.roundRobin());
  }

  @Test
  void staticResolver_readsIpv6HostNamesAndAuthorities() throws Exception {
    StaticNameResolverProvider.register();
    var provider = NameResolverRegistry.getDefaultRegistry().getProviderForScheme("static");
    assertThat(provider).isNotNull();
    var args =
        NameResolver.Args.newBuilder()
            .setDefaultPort(443)
            .setProxyDetector(target -> null)
            .setSynchronizationContext(new io.grpc.SynchronizationContext((t, e) -> {}))
            .setServiceConfigParser(
                new NameResolver.ServiceConfigParser() {
                  @Override
                  public NameResolver.ConfigOrError parseServiceConfig(Map<String, ?> config) {
                    return NameResolver.ConfigOrError.fromConfig(config);
                  }
                })
            .build();

    String v6 = StaticNameResolverProvider.target(List.of("[::1]:50051", "localhost"));
    NameResolver resolver = provider.newNameResolver(new URI(v6), args);
    assertThat(resolver.getServiceAuthority()).isEqualTo("[::1]:50051");
    NameResolver named =
        provider.newNameResolver(new URI("static://inferd.internal/a:1,b:2"), args);
    assertThat(named.getServiceAuthority()).isEqualTo("inferd.internal");
    assertThatThrownBy(() -> provider.newNameResolver(new URI("static:///a:1:2"), args))
        .hasMessageContaining("expected: host:port or [IPv6]:port");
    assertThatThrownBy(() -> provider.newNameResolver(new URI("static:///a:70000"), args))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Speaks just enough HTTP/2 to refuse every stream with RST_STREAM(REFUSED_STREAM): the call
   * never reached an application, which is what grpc-java retries transparently.
   */
  private static final class RefusingServer implements AutoCloseable {
    private static final byte SETTINGS = 0x4;
    private static final byte HEADERS = 0x1;
    private static final byte RST_STREAM = 0x3;
    private static final byte PING = 0x6;
    private static final int REFUSED_STREAM = 0x7;

    final AtomicInteger refused = new AtomicInteger();
    private final ServerSocket socket;
    private final List<Socket> connections = new ArrayList<>();
    private final Thread acceptor;

    RefusingServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    String address() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          synchronized (connections) {
            connections.add(connection);
          }
          Thread.ofVirtual().start(() -> serve(connection));
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        var in = new DataInputStream(connection.getInputStream());
        OutputStream out = connection.getOutputStream();
        in.readFully(new byte[24]); // PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n
        frame(out, SETTINGS, 0, 0, new byte[0]);
        while (true) {
          int length =
              in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
          byte type = in.readByte();
          byte flags = in.readByte();
          int stream = in.readInt() & 0x7fffffff;
          byte[] payload = new byte[length];
          in.readFully(payload);
          if (type == SETTINGS && (flags & 0x1) == 0) {
            frame(out, SETTINGS, 0x1, 0, new byte[0]);
          } else if (type == PING && (flags & 0x1) == 0) {
            frame(out, PING, 0x1, 0, payload);
          } else if (type == HEADERS) {
            frame(
                out, RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(REFUSED_STREAM).array());
            refused.incrementAndGet();
          }
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    private static void frame(OutputStream out, byte type, int flags, int stream, byte[] payload)
        throws IOException {
      ByteBuffer header = ByteBuffer.allocate(9);
      header
          .put((byte) (payload.length >>> 16))
          .put((byte) (payload.length >>> 8))
          .put((byte) payload.length);
      header.put(type).put((byte) flags).putInt(stream);
      out.write(header.array());
      out.write(payload);
      out.flush();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      synchronized (connections) {
        for (Socket connection : connections) {
          connection.close();
        }
      }
      acceptor.join(5000);
    }
  }
}
