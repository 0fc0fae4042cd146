package io.inferd.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.Sampling;
import io.inferd.engine.Turn;
import io.inferd.engine.remote.UpstreamPool.Endpoint;
import io.inferd.engine.remote.UpstreamPool.Lease;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The balancer: least outstanding requests, passive ejection, re-probing (fake servers on
 * 127.0.0.1).
 */
class UpstreamPoolTest {
  /** Short timings so ejections end within a test. */
  private static final UpstreamPool.Settings FAST =
      new UpstreamPool.Settings(
          Duration.ofMillis(200),
          Duration.ofSeconds(1),
          Duration.ofMillis(50),
          Duration.ofSeconds(1));

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpClient http = OpenAiUpstream.newHttpClient();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    http.close();
  }

  private FakeOpenAiServer server() throws Exception {
    FakeOpenAiServer server = new FakeOpenAiServer();
    closeables.add(server);
    return server;
  }

  private UpstreamPool pool(URI... urls) {
    UpstreamPool pool = new UpstreamPool(List.of(urls), http, null, FAST);
    closeables.add(pool);
    return pool;
  }

  private OpenAiUpstreamGenerator generator(UpstreamPool pool) {
    return new OpenAiUpstreamGenerator(pool, http, "m", null, 4);
  }

  private static GenerationRequest request(OpenAiUpstreamGenerator generator) {
    return new GenerationRequest(generator.render(List.of(Turn.user("hi"))), 8, Sampling.greedy());
  }

  private static Generation generate(OpenAiUpstreamGenerator generator) {
    return generator.generate(request(generator), token -> true);
  }

  /** A URL nobody listens on. */
  private static URI closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }
  }

  @Test
  void acquire_prefersTheEndpointWithFewestRequestsInFlight() {
    UpstreamPool pool =
        pool(URI.create("http://127.0.0.1:1/v1"), URI.create("http://127.0.0.1:2/v1"));
    Lease first = pool.acquire(Set.of()).orElseThrow();
    Lease second = pool.acquire(Set.of()).orElseThrow();
    assertThat(second.endpoint()).isNotSameAs(first.endpoint());

    Lease third = pool.acquire(Set.of()).orElseThrow(); // a tie: either one
    Endpoint busy = third.endpoint();
    Endpoint idle = pool.endpoints().stream().filter(e -> e != busy).findFirst().orElseThrow();
    assertThat(busy.outstanding()).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      try (Lease next = pool.acquire(Set.of()).orElseThrow()) {
        assertThat(next.endpoint()).isSameAs(idle); // 1 in flight beats 2
      }
    }
    first.close();
    second.close();
    third.close();
    third.close(); // closing twice counts once
    assertThat(pool.endpoints()).allSatisfy(e -> assertThat(e.outstanding()).isZero());
  }

  @Test
  void acquire_withNothingInFlight_goesRoundTheEndpointsInTurn() {
    UpstreamPool pool =
        pool(
            URI.create("http://127.0.0.1:1/v1"),
            URI.create("http://127.0.0.1:2/v1/"),
            URI.create("http://127.0.0.1:3/v1"));
    Map<Endpoint, Integer> picks = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      try (Lease lease = pool.acquire(Set.of()).orElseThrow()) {
        picks.merge(lease.endpoint(), 1, Integer::sum);
      }
    }
    assertThat(picks.values()).containsExactly(10, 10, 10);
    assertThat(pool.endpoints().get(1).base()).hasToString("http://127.0.0.1:2/v1");
  }

  @Test
  void acquire_skipsExcludedEndpoints_andIsEmptyWhenAllAreExcluded() {
    UpstreamPool pool =
        pool(URI.create("http://127.0.0.1:1/v1"), URI.create("http://127.0.0.1:2/v1"));
    Endpoint one = pool.endpoints().get(0);
    for (int i = 0; i < 4; i++) {
      try (Lease lease = pool.acquire(Set.of(one)).orElseThrow()) {
        assertThat(lease.endpoint()).isSameAs(pool.endpoints().get(1));
      }
    }
    assertThat(pool.acquire(Set.copyOf(pool.endpoints()))).isEmpty();
  }

  @Test
  void serverError_ejectsTheEndpoint_andLaterRequestsGoToTheOthers() throws Exception {
    FakeOpenAiServer failing = server();
    FakeOpenAiServer healthy = server();
    failing.chat = FakeOpenAiServer.Chat.FAIL_500;
    failing.modelsStatus = 500;
    UpstreamPool pool = pool(failing.baseUrl(), healthy.baseUrl());
    OpenAiUpstreamGenerator generator = generator(pool);

    List<Kind> outcomes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      try {
        generate(generator);
        outcomes.add(null);
      } catch (InferenceException e) {
        outcomes.add(e.kind());
        assertThat(e.getMessage()).contains("answered 500", "engine exploded");
      }
    }

    assertThat(failing.chatCalls.get()).as("requests to the failing server").isEqualTo(1);
    assertThat(outcomes.stream().filter(c -> c == Kind.UNAVAILABLE)).hasSize(1);
    assertThat(healthy.chatCalls.get()).isEqualTo(9);
    assertThat(pool.endpoints().get(0).ejected()).isTrue();
  }

  @Test
  void connectFailure_ejects_andTheSameRequestIsSentToTheNextEndpoint() throws Exception {
    FakeOpenAiServer healthy = server();
    UpstreamPool pool = pool(closedPort(), healthy.baseUrl());
    OpenAiUpstreamGenerator generator = generator(pool);

    for (int i = 0; i < 6; i++) {
      assertThat(generate(generator).text()).isEqualTo("Once upon a");
    }

    assertThat(healthy.chatCalls.get()).isEqualTo(6);
    assertThat(pool.endpoints().get(0).ejected()).isTrue();
  }

  @Test
  void ejectedEndpoint_isReprobed_andBackInServiceOnceItsModelsAnswer() throws Exception {
    FakeOpenAiServer flaky = server();
    FakeOpenAiServer healthy = server();
    flaky.chat = FakeOpenAiServer.Chat.FAIL_503; // 503: ejected, and the request moves on
    flaky.modelsStatus = 503;
    UpstreamPool pool = pool(flaky.baseUrl(), healthy.baseUrl());
    OpenAiUpstreamGenerator generator = generator(pool);
    for (int i = 0; i < 4; i++) {
      assertThat(generate(generator).text()).isEqualTo("Once upon a"); // never fails: 503 moves on
    }
    assertThat(pool.endpoints().get(0).ejected()).isTrue();
    int callsWhileOut = flaky.chatCalls.get();

    awaitTrue(() -> flaky.probes.get() >= 2, "probes while the server still fails");
    assertThat(pool.endpoints().get(0).ejected()).as("still out: probes answer 503").isTrue();
    for (int i = 0; i < 4; i++) {
      generate(generator);
    }
    assertThat(flaky.chatCalls.get()).isEqualTo(callsWhileOut);

    flaky.chat = FakeOpenAiServer.Chat.STREAM;
    flaky.modelsStatus = 200;
    awaitTrue(() -> !pool.endpoints().get(0).ejected(), "back in service after a good probe");
    for (int i = 0; i < 4; i++) {
      generate(generator);
    }
    assertThat(flaky.chatCalls.get()).isGreaterThan(callsWhileOut);
  }

  @Test
  void everyEndpointEjected_requestsStillGoOut_ratherThanFailUnsent() throws Exception {
    FakeOpenAiServer only = server();
    only.chat = FakeOpenAiServer.Chat.FAIL_500;
    only.modelsStatus = 500;
    UpstreamPool pool = pool(only.baseUrl());
    OpenAiUpstreamGenerator generator = generator(pool);
    assertThatThrownBy(() -> generate(generator)).isInstanceOf(InferenceException.class);
    assertThat(pool.endpoints().get(0).ejected()).isTrue();

    only.chat = FakeOpenAiServer.Chat.STREAM; // recovered before any probe said so

    assertThat(generate(generator).text()).isEqualTo("Once upon a");
    assertThat(pool.endpoints().get(0).ejected()).as("a success puts it back").isFalse();
  }

  @Test
  void everyEndpointUnreachable_failsWithUnavailable_namingTheUpstream() throws Exception {
    URI down = closedPort();
    UpstreamPool pool = pool(down);
    assertThatThrownBy(() -> generate(generator(pool)))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
              assertThat(e.getMessage()).contains(down.toString(), "unreachable");
            });
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
