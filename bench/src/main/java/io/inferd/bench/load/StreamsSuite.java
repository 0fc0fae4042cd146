package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.StreamChunk;
import io.inferd.bench.BenchConfig;
import io.inferd.bench.OpenAi;
import io.inferd.bench.report.Results;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many long-lived token streams one client can hold: StreamComplete calls multiplexed on ONE
 * HTTP/2 connection, against the same number of SSE requests over HTTP/1.1 (one connection each).
 * The benchmark-only engine sends the first token at once and then one every few seconds, so the
 * streams are open and nearly idle; the server's heap after a full GC, minus its baseline, divided
 * by the streams held, is the heap each idle stream costs (RSS and threads likewise).
 */
public final class StreamsSuite {
  /** Tokens per stream: more than the run lasts at the slow token rate. */
  private static final int STREAM_TOKENS = 100_000;

  private static final int RAMP_BATCH = 250;

  private StreamsSuite() {}

  static List<String> serverArgs(BenchConfig config) {
    int slots = config.streamsTarget() + 64;
    return List.of(
        "--engine", "bench",
        "--parallel", Integer.toString(slots),
        "--queue", "64",
        "--token-interval-ms", Long.toString(config.streamsTokenInterval().toMillis()),
        // 'inferd serve --max-streams-per-connection' (default 1000), raised for this run
        "--max-streams-per-connection", Integer.toString(Math.max(1000, slots)),
        "--max-tokens-limit", Integer.toString(STREAM_TOKENS));
  }

  public static void run(
      BenchConfig config,
      Path dir,
      boolean accessLog,
      Results results,
      ProtocolSuite.Progress progress)
      throws Exception {
    for (Protocol protocol : Protocol.values()) {
      System.out.printf(
          "  %,d concurrent streams over %s%n", config.streamsTarget(), protocol.label());
      Path log = dir.resolve("logs/server-streams-" + protocol.name().toLowerCase() + ".log");
      try (ServerUnderTest server =
          ServerUnderTest.start(config.serverHeap(), accessLog, log, serverArgs(config))) {
        Results.StreamsRow row =
            protocol == Protocol.GRPC
                ? grpc(config, server, "gRPC")
                : rest(config, server, "REST", "");
        print(row);
        results.streams.add(row);
      }
      progress.save();
    }
    // 1024, Linux's usual default soft limit of open files (and systemd's for services): what a
    // REST
    // server whose limit nobody raised runs into. The runs above use the hard limit bench.sh sets.
    long softLimit = LOW_NOFILE;
    if (softLimit > 0 && softLimit < config.streamsTarget() + 100 && prlimit()) {
      String label = "REST, server at nofile " + softLimit;
      System.out.printf("  %,d concurrent streams over %s%n", config.streamsTarget(), label);
      Path log = dir.resolve("logs/server-streams-rest-nofile.log");
      List<String> wrapper = List.of("prlimit", "--nofile=" + softLimit + ":" + softLimit, "--");
      try (ServerUnderTest server =
          ServerUnderTest.start(wrapper, config.serverHeap(), accessLog, log, serverArgs(config))) {
        Results.StreamsRow row =
            rest(
                config,
                server,
                label,
                "the server process ran with "
                    + softLimit
                    + " open files at most (`prlimit`), Linux's usual"
                    + " default soft limit (this machine's is "
                    + defaultSoftLimit()
                    + "; the other runs use the hard limit); every SSE stream holds a socket, so"
                    + " the server runs out of file descriptors");
        row = withListenerNote(row, log);
        print(row);
        results.streams.add(row);
      }
      progress.save();
    }
  }

  /**
   * Helidon logs when its listener gives up (e.g. on EMFILE in accept); the report should say so.
   */
  private static Results.StreamsRow withListenerNote(Results.StreamsRow row, Path log) {
    try {
      String text = java.nio.file.Files.readString(log);
      if (!text.contains("this server socket is terminating now")) {
        return row;
      }
      String note =
          row.note()
              + ". The REST listener then stopped for good: Helidon logged \"Got a throwable while"
              + " listening, this server socket is terminating now\" ("
              + (text.contains("Too many open files")
                  ? "java.io.IOException: Too many open files"
                  : "see the server log")
              + "), so the gateway refused every later connection while gRPC, on its own listener,"
              + " kept serving";
      return new Results.StreamsRow(
          row.protocol(),
          row.target(),
          row.opened(),
          row.failed(),
          row.errorKinds(),
          row.secondsToOpen(),
          row.serverConnections(),
          row.heapBaselineBytes(),
          row.heapWithStreamsBytes(),
          row.heapPerStreamBytes(),
          row.rssBaselineKb(),
          row.rssWithStreamsKb(),
          row.rssPerStreamKb(),
          row.threadsBaseline(),
          row.threadsWithStreams(),
          row.serverOpenFiles(),
          row.clientOpenFiles(),
          note);
    } catch (java.io.IOException e) {
      return row;
    }
  }

  private static void print(Results.StreamsRow row) {
    System.out.printf(
        "    opened %,d of %,d in %.1f s over %d connection(s); heap %,.0f B/stream, RSS %,.1f"
            + " kB/stream; failed %d %s%n",
        row.opened(),
        row.target(),
        row.secondsToOpen(),
        row.serverConnections(),
        row.heapPerStreamBytes(),
        row.rssPerStreamKb(),
        row.failed(),
        row.errorKinds().isEmpty() ? "" : row.errorKinds());
  }

  /** The open-files limit of the extra REST run. */
  private static final long LOW_NOFILE = 1024;

  /** The soft open-files limit bench.sh found before raising it (BENCH_DEFAULT_NOFILE), or -1. */
  private static long defaultSoftLimit() {
    try {
      return Long.parseLong(System.getenv().getOrDefault("BENCH_DEFAULT_NOFILE", "-1").trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean prlimit() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, "prlimit"))) {
        return true;
      }
    }
    return false;
  }

  /** Counts what happened to the streams of one run. */
  private static final class Tally {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicLong lastOpenedNanos = new AtomicLong();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    volatile boolean closing;

    void opened() {
      opened.incrementAndGet();
      lastOpenedNanos.set(System.nanoTime());
    }

    /** One stream's first event counts it as opened; later ones do nothing. */
    Runnable openedOnce() {
      var first = new AtomicBoolean(true);
      return () -> {
        if (first.compareAndSet(true, false)) {
          opened();
        }
      };
    }

    void failed(Throwable t) {
      if (!closing) {
        errors.computeIfAbsent(ErrorKinds.of(t), k -> new LongAdder()).increment();
      }
    }

    long failedCount() {
      return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> errorKinds() {
      Map<String, Long> kinds = new TreeMap<>();
      errors.forEach((k, v) -> kinds.put(k, v.sum()));
      return kinds;
    }

    /** Waits until every stream opened or failed, or the timeout. */
    void await(int target, Duration timeout) throws InterruptedException {
      long giveUp = System.nanoTime() + timeout.toNanos();
      int settled = -1;
      long settledSince = System.nanoTime();
      while (System.nanoTime() < giveUp) {
        int now = opened.get() + (int) failedCount();
        if (now >= target) {
          return;
        }
        if (now != settled) {
          settled = now;
          settledSince = System.nanoTime();
        } else if (System.nanoTime() - settledSince > Duration.ofSeconds(20).toNanos()) {
          return; // nothing moves any more: the rest are stuck
        }
        Thread.sleep(100);
      }
    }
  }

  private static Results.StreamsRow grpc(BenchConfig config, ServerUnderTest server, String label)
      throws InterruptedException {
    int target = config.streamsTarget();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
            .usePlaintext()
            .directExecutor()
            .build();
    var stub = InferenceServiceGrpc.newStub(channel);
    var blocking = InferenceServiceGrpc.newBlockingStub(channel);
    Work work = Work.bench(Scenario.STREAM);
    // warm the code paths with a few one-token streams
    CompleteRequest one = work.completeRequest().toBuilder().setMaxTokens(1).build();
    for (int i = 0; i < 50; i++) {
      blocking.streamComplete(one).forEachRemaining(chunk -> {});
    }
    CompleteRequest request =
        work.completeRequest().toBuilder().setMaxTokens(STREAM_TOKENS).build();
    JsonNode baseline = server.gc();
    Tally tally = new Tally();
    List<ClientCallStreamObserver<CompleteRequest>> calls = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < target; i++) {
      stub.streamComplete(
          request,
          new ClientResponseObserver<CompleteRequest, StreamChunk>() {
            private final Runnable opened = tally.openedOnce();

            @Override
            public void beforeStart(ClientCallStreamObserver<CompleteRequest> call) {
              calls.add(call);
            }

            @Override
            public void onNext(StreamChunk chunk) {
              opened.run();
            }

            @Override
            public void onError(Throwable t) {
              tally.failed(t);
            }

            @Override
            public void onCompleted() {}
          });
      ramp(i);
    }
    tally.await(target, config.streamsOpenTimeout());
    Results.StreamsRow row =
        measure(label, target, tally, t0, server, server.grpcPort(), baseline, "");
    tally.closing = true;
    calls.forEach(call -> call.cancel("benchmark done", null));
    channel.shutdownNow();
    channel.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    return row;
  }

  private static Results.StreamsRow rest(
      BenchConfig config, ServerUnderTest server, String label, String note) throws Exception {
    int target = config.streamsTarget();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(60))
            .build();
    URI uri = URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/chat/completions");
    Work work = Work.bench(Scenario.STREAM);
    OpenAi.ChatRequest base = work.chatRequest();
    byte[] oneToken = OpenAi.MAPPER.writeValueAsBytes(withMaxTokens(base, 1));
    for (int i = 0; i < 50; i++) {
      http.send(post(uri, oneToken), HttpResponse.BodyHandlers.ofString());
    }
    byte[] body = OpenAi.MAPPER.writeValueAsBytes(withMaxTokens(base, STREAM_TOKENS));
    JsonNode baseline = server.gc();
    Tally tally = new Tally();
    List<Flow.Subscription> subscriptions = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < target; i++) {
      Flow.Subscriber<String> events =
          new Flow.Subscriber<>() {
            private final Runnable opened = tally.openedOnce();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
              subscriptions.add(subscription);
              subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
              if (line.startsWith("data: ")) {
                opened.run();
              }
            }

            @Override
            public void onError(Throwable t) {
              tally.failed(t);
            }

            @Override
            public void onComplete() {}
          };
      http.sendAsync(post(uri, body), HttpResponse.BodyHandlers.fromLineSubscriber(events))
          .whenComplete(
              (response, error) -> {
                if (error != null) {
                  tally.failed(error);
                } else if (response.statusCode() != 200) {
                  tally.failed(new RestDriver.HttpStatusException(response.statusCode()));
                }
              });
      ramp(i);
    }
    tally.await(target, config.streamsOpenTimeout());
    Results.StreamsRow row =
        measure(
            label,
            target,
            tally,
            t0,
            server,
            server.httpPort(),
            baseline,
            note.isEmpty()
                ? "HTTP/1.1 has no multiplexing: each open SSE response holds its own TCP"
                    + " connection"
                : note);
    tally.closing = true;
    subscriptions.forEach(Flow.Subscription::cancel);
    http.shutdownNow();
    return row;
  }

  private static OpenAi.ChatRequest withMaxTokens(OpenAi.ChatRequest r, int maxTokens) {
    return new OpenAi.ChatRequest(
        r.model(), r.messages(), r.temperature(), maxTokens, r.topP(), r.seed(), true);
  }

  private static HttpRequest post(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /**
   * Opens streams in batches, so a burst of connects does not overflow the listen backlog at once.
   */
  private static void ramp(int i) throws InterruptedException {
    if ((i + 1) % RAMP_BATCH == 0) {
      Thread.sleep(50);
    }
  }

  private static Results.StreamsRow measure(
      String protocol,
      int target,
      Tally tally,
      long t0,
      ServerUnderTest server,
      int port,
      JsonNode baseline,
      String note)
      throws InterruptedException {
    Thread.sleep(2000); // let the last streams settle into their slow rhythm
    int connections = ProcStats.establishedOnLocalPort(port);
    JsonNode with = server.gc();
    int opened = tally.opened.get();
    double perStream = opened == 0 ? Double.NaN : 1.0 / opened;
    long heap0 = baseline.path("heapUsed").asLong();
    long heap1 = with.path("heapUsed").asLong();
    long rss0 = baseline.path("rssKb").asLong();
    long rss1 = with.path("rssKb").asLong();
    String why = note;
    if (opened < target) {
      why = (note.isEmpty() ? "" : note + "; ") + "stopped at " + opened + " of " + target;
    }
    return new Results.StreamsRow(
        protocol,
        target,
        opened,
        tally.failedCount(),
        tally.errorKinds(),
        opened == 0 ? Double.NaN : (tally.lastOpenedNanos.get() - t0) / 1e9,
        connections,
        heap0,
        heap1,
        (heap1 - heap0) * perStream,
        rss0,
        rss1,
        (rss1 - rss0) * perStream,
        baseline.path("threads").asLong(),
        with.path("threads").asLong(),
        with.path("openFiles").asLong(),
        ProcStats.openFiles(ProcessHandle.current().pid()),
        why);
  }
}
