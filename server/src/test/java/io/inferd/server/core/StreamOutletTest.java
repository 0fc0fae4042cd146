package io.inferd.server.core;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.server.core.StreamOutlet.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class StreamOutletTest {
  /** A transport the test drives: ready or not, client there or gone. */
  private static final class FakeTransport implements StreamOutlet.Transport<String> {
    volatile boolean ready = true;
    volatile boolean gone;
    volatile boolean writeFails;
    volatile boolean busyAfterWrite;
    volatile boolean queuesWrites;
    volatile boolean goneAfterWrite;
    volatile boolean sized; // each message's queued size is its length, as gRPC's is known
    volatile int readyAsked;
    final List<String> written = new CopyOnWriteArrayList<>();

    @Override
    public boolean ready() {
      readyAsked++;
      return ready;
    }

    @Override
    public int queuedSize(String message) {
      return sized ? message.length() : StreamOutlet.Transport.super.queuedSize(message);
    }

    @Override
    public boolean gone() {
      return gone;
    }

    @Override
    public boolean queuesWrites() {
      return queuesWrites;
    }

    @Override
    public boolean write(String message) {
      if (writeFails) {
        return false;
      }
      written.add(message);
      if (busyAfterWrite) {
        ready = false;
      }
      if (goneAfterWrite) {
        gone = true;
      }
      return true;
    }
  }

  private final FakeTransport transport = new FakeTransport();

  /** An outlet on a transport that queues its writes and says their sizes, as gRPC does. */
  private StreamOutlet<String> queueingOutletOfKnownSizes() {
    transport.queuesWrites = true;
    transport.sized = true;
    return new StreamOutlet<>(transport, Duration.ofSeconds(5));
  }

  @Test
  void offer_toAReadyTransport_writesAtOnce() {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    assertThat(outlet.offer("a")).isEqualTo(Outcome.WRITTEN);
    assertThat(outlet.offer("b")).isEqualTo(Outcome.WRITTEN);
    assertThat(transport.written).containsExactly("a", "b");
    assertThat(outlet.written()).isEqualTo(2);
  }

  @Test
  void offer_toASlowReader_waitsUntilTheTransportIsReadyAgain() throws Exception {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    transport.ready = false;
    CompletableFuture<Outcome> offered = CompletableFuture.supplyAsync(() -> outlet.offer("a"));
    Thread.sleep(150);
    assertThat(offered).as("the engine waits for the reader").isNotDone();
    assertThat(transport.written).isEmpty();

    transport.ready = true;
    outlet.wake(); // as gRPC's onReady handler does
    assertThat(offered.get(1, SECONDS)).isEqualTo(Outcome.WRITTEN);
    assertThat(transport.written).containsExactly("a");
  }

  @Test
  void aWaitOnAForkJoinWorker_letsItsPoolRunTheTaskThatMakesTheTransportReady() throws Exception {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(30));
    transport.ready = false;
    var pool = new ForkJoinPool(1); // gRPC's call executor, where onReady handlers run too
    try {
      var offered = pool.submit(() -> outlet.offer("a"));
      while (transport.readyAsked == 0) {
        Thread.onSpinWait();
      }
      // the only worker waits in the outlet: without managedBlock this task would wait for it
      pool.submit(
              () -> {
                transport.ready = true;
                outlet.wake();
              })
          .get(10, SECONDS);

      assertThat(offered.get(10, SECONDS)).isEqualTo(Outcome.WRITTEN);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void offer_returnsOnlyOnceTheTransportTookTheMessage_soAGoneClientStopsTheNextToken()
      throws Exception {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    transport.busyAfterWrite = true; // as SSE: busy until the request thread has written it
    CompletableFuture<Outcome> offered = CompletableFuture.supplyAsync(() -> outlet.offer("a"));
    Thread.sleep(150);
    assertThat(transport.written).containsExactly("a");
    assertThat(offered).as("the engine waits until the event is out").isNotDone();

    transport.gone = true; // the write failed: the client left
    outlet.wake();
    assertThat(offered.get(1, SECONDS)).isEqualTo(Outcome.GONE);
  }

  @Test
  void offer_toAQueueingTransport_returnsOnceWritten_andTheNextOfferWaitsForReady()
      throws Exception {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    transport.queuesWrites = true; // as gRPC: the message is in grpc-java's queue
    transport.busyAfterWrite = true;
    assertThat(outlet.offer("a")).isEqualTo(Outcome.WRITTEN);

    CompletableFuture<Outcome> next = CompletableFuture.supplyAsync(() -> outlet.offer("b"));
    Thread.sleep(150);
    assertThat(next).as("the next token waits for the queue to drain").isNotDone();
    assertThat(transport.written).containsExactly("a");
    transport.busyAfterWrite = false;
    transport.ready = true;
    outlet.wake();
    assertThat(next.get(1, SECONDS)).isEqualTo(Outcome.WRITTEN);
    assertThat(transport.written).containsExactly("a", "b");
  }

  @Test
  void aQueueingTransportOfKnownSizes_isAskedWhetherItIsReadyOncePerUnaskedBytes() {
    var outlet = queueingOutletOfKnownSizes();
    String kib = "x".repeat(1024);
    int perAsk = StreamOutlet.UNASKED_BYTES / kib.length();
    for (int i = 0; i < 3 * perAsk; i++) {
      assertThat(outlet.offer(kib)).isEqualTo(Outcome.WRITTEN);
    }
    assertThat(transport.readyAsked).isEqualTo(3);
  }

  @Test
  void aQueueingTransportThatFilledUp_holdsTheTokenAfterTheUnaskedBytes() throws Exception {
    var outlet = queueingOutletOfKnownSizes();
    String kib = "x".repeat(1024);
    assertThat(outlet.offer(kib)).isEqualTo(Outcome.WRITTEN);
    transport.ready = false; // the reader stopped reading: gRPC's queue is over its bound
    int unasked = StreamOutlet.UNASKED_BYTES / kib.length() - 1;
    for (int i = 0; i < unasked; i++) {
      assertThat(outlet.offer(kib)).isEqualTo(Outcome.WRITTEN);
    }

    CompletableFuture<Outcome> next = CompletableFuture.supplyAsync(() -> outlet.offer("last"));
    Thread.sleep(150);
    assertThat(next).as("past the unasked bytes the token waits for the reader").isNotDone();
    assertThat(transport.written).hasSize(1 + unasked);
    transport.ready = true;
    outlet.wake();
    assertThat(next.get(1, SECONDS)).isEqualTo(Outcome.WRITTEN);
  }

  @Test
  void aClientThatLeft_isSeenAtTheNextToken_evenBeforeTheTransportIsAskedAgain() {
    var outlet = queueingOutletOfKnownSizes();
    assertThat(outlet.offer("a")).isEqualTo(Outcome.WRITTEN);
    transport.gone = true;
    assertThat(outlet.offer("b")).isEqualTo(Outcome.GONE);
    assertThat(transport.written).containsExactly("a");
  }

  @Test
  void offer_toAQueueingTransport_seesAClientThatLeftDuringTheWrite() {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    transport.queuesWrites = true;
    transport.goneAfterWrite = true;
    assertThat(outlet.offer("a")).isEqualTo(Outcome.GONE);
  }

  @Test
  void offer_toAReaderThatTakesNothing_endsAfterTheIdleTimeout_andStaysEnded() {
    var outlet = new StreamOutlet<>(transport, Duration.ofMillis(200));
    transport.ready = false;
    long start = System.nanoTime();
    assertThat(outlet.offer("a")).isEqualTo(Outcome.IDLE_TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(190), Duration.ofSeconds(2));
    assertThat(outlet.idleTimedOut()).isTrue();

    transport.ready = true;
    assertThat(outlet.offer("b")).isEqualTo(Outcome.IDLE_TIMEOUT);
    assertThat(transport.written).isEmpty();
  }

  @Test
  void aClientThatLeavesWhileTheEngineWaits_stopsItAtOnce_notAtTheIdleTimeout() throws Exception {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(30));
    transport.ready = false;
    CompletableFuture<Outcome> offered = CompletableFuture.supplyAsync(() -> outlet.offer("a"));
    Thread.sleep(50);
    transport.gone = true;
    outlet.wake(); // as gRPC's onCancel handler does
    assertThat(offered.get(1, SECONDS)).isEqualTo(Outcome.GONE);
    assertThat(outlet.idleTimedOut()).isFalse();
  }

  @Test
  void aGoneClient_getsNothingMore_andAFailedWriteCountsAsGone() {
    var outlet = new StreamOutlet<>(transport, Duration.ofSeconds(5));
    transport.writeFails = true;
    assertThat(outlet.offer("a")).isEqualTo(Outcome.GONE);
    transport.writeFails = false;
    assertThat(outlet.offer("b")).isEqualTo(Outcome.GONE);
    assertThat(transport.written).isEmpty();
    assertThat(outlet.written()).isZero();
  }
}
