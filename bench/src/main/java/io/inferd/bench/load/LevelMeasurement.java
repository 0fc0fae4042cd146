package io.inferd.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.inferd.bench.report.Results;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Measures windows of one concurrency level against a running server, with the server's CPU,
 * allocation and connections over exactly each window. Windows of one level can be {@link
 * Sample#add added}: the protocol suite interleaves gRPC and REST windows so that the background
 * load of a shared machine falls on both alike.
 */
public final class LevelMeasurement {
  private LevelMeasurement() {}

  public static CallDriver driver(Protocol protocol, int port, Work work) {
    return switch (protocol) {
      case GRPC -> new GrpcDriver(port, work);
      case REST -> new RestDriver(port, work);
    };
  }

  public static int port(Protocol protocol, ServerUnderTest server) {
    return protocol == Protocol.GRPC ? server.grpcPort() : server.httpPort();
  }

  /** Calls for {@code duration} without measuring: lets the JIT and the pools settle. */
  public static void warm(
      ServerUnderTest server, Protocol protocol, Work work, int concurrency, Duration duration)
      throws InterruptedException {
    try (CallDriver driver = driver(protocol, port(protocol, server), work)) {
      LoadRunner.run(driver, concurrency, duration, Duration.ZERO, LoadRunner.WindowListener.NONE);
    }
  }

  /** One level with a fresh client: warm-up, then one measured window. */
  public static Results.LevelRow measure(
      ServerUnderTest server,
      Protocol protocol,
      Work work,
      String engine,
      int concurrency,
      Duration warmup,
      Duration measure)
      throws InterruptedException {
    try (CallDriver driver = driver(protocol, port(protocol, server), work)) {
      return window(server, protocol, driver, concurrency, warmup, measure)
          .toRow(protocol, work, engine, concurrency);
    }
  }

  /** One measured window on an existing client, after a short warm-up on it. */
  public static Sample window(
      ServerUnderTest server,
      Protocol protocol,
      CallDriver driver,
      int concurrency,
      Duration warmup,
      Duration measure)
      throws InterruptedException {
    var window = new ServerWindow(server, port(protocol, server));
    LoadRunner.Outcome outcome = LoadRunner.run(driver, concurrency, warmup, measure, window);
    Metrics.Window w = outcome.window();
    return new Sample(
        w.latency(),
        w.ttft(),
        w.gaps(),
        w.tokens(),
        new TreeMap<>(w.errors()),
        outcome.seconds(),
        window.cpuNanos,
        outcome.clientCpuNanos(),
        window.allocatedBytes,
        window.maxConnections.get(),
        window.rssKbAtEnd);
  }

  /** What one or more windows of a level measured. */
  public static final class Sample {
    private final Histogram latency;
    private final Histogram ttft;
    private final Histogram gaps;
    private long tokens;
    private final Map<String, Long> errors;
    private double seconds;
    private long serverCpuNanos;
    private long clientCpuNanos;
    private long allocatedBytes;
    private int maxConnections;
    private long rssKb;

    Sample(
        Histogram latency,
        Histogram ttft,
        Histogram gaps,
        long tokens,
        Map<String, Long> errors,
        double seconds,
        long serverCpuNanos,
        long clientCpuNanos,
        long allocatedBytes,
        int maxConnections,
        long rssKb) {
      this.latency = copy(latency);
      this.ttft = copy(ttft);
      this.gaps = copy(gaps);
      this.tokens = tokens;
      this.errors = errors;
      this.seconds = seconds;
      this.serverCpuNanos = serverCpuNanos;
      this.clientCpuNanos = clientCpuNanos;
      this.allocatedBytes = allocatedBytes;
      this.maxConnections = maxConnections;
      this.rssKb = rssKb;
    }

    /** An auto-resizing copy, so windows with larger values can be added to it. */
    private static Histogram copy(Histogram source) {
      Histogram copy = new Histogram(3);
      copy.add(source);
      return copy;
    }

    /** Adds another window of the same level and protocol. */
    public Sample add(Sample other) {
      latency.add(other.latency);
      ttft.add(other.ttft);
      gaps.add(other.gaps);
      tokens += other.tokens;
      other.errors.forEach((kind, count) -> errors.merge(kind, count, Long::sum));
      seconds += other.seconds;
      serverCpuNanos += other.serverCpuNanos;
      clientCpuNanos += other.clientCpuNanos;
      allocatedBytes += other.allocatedBytes;
      maxConnections = Math.max(maxConnections, other.maxConnections);
      rssKb = Math.max(rssKb, other.rssKb);
      return this;
    }

    public Results.LevelRow toRow(Protocol protocol, Work work, String engine, int concurrency) {
      long calls = latency.getTotalCount();
      double perCall = calls == 0 ? Double.NaN : 1.0 / calls;
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      return new Results.LevelRow(
          protocol.label(),
          work.scenario().name().toLowerCase(),
          engine,
          concurrency,
          calls,
          errorCount,
          errors,
          seconds,
          calls / seconds,
          tokens / seconds,
          Results.Latency.of(latency),
          Results.Latency.of(ttft),
          Results.Latency.of(gaps),
          serverCpuNanos / 1e9 * perCall * 1000,
          serverCpuNanos / 1e9 / seconds,
          clientCpuNanos / 1e9 * perCall * 1000,
          allocatedBytes * perCall,
          maxConnections,
          rssKb);
    }
  }

  /** Server figures at the window's edges, and its connections sampled in between. */
  static final class ServerWindow implements LoadRunner.WindowListener {
    private final ServerUnderTest server;
    private final int port;
    final AtomicInteger maxConnections = new AtomicInteger();
    private volatile boolean sampling;
    private Thread sampler;
    private long cpu0;
    private long allocated0;
    long cpuNanos;
    long allocatedBytes;
    long rssKbAtEnd;

    ServerWindow(ServerUnderTest server, int port) {
      this.server = server;
      this.port = port;
    }

    @Override
    public void opened() {
      JsonNode stats = server.stats();
      allocated0 = stats.path("allocatedBytes").asLong();
      cpu0 = server.cpuNanos();
      sampling = true;
      sampler =
          Thread.ofPlatform()
              .daemon()
              .name("connection-sampler")
              .start(
                  () -> {
                    while (sampling) {
                      maxConnections.accumulateAndGet(
                          ProcStats.establishedOnLocalPort(port), Math::max);
                      try {
                        Thread.sleep(250);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    @Override
    public void closed() {
      cpuNanos = server.cpuNanos() - cpu0;
      sampling = false;
      JsonNode stats = server.stats();
      allocatedBytes = stats.path("allocatedBytes").asLong() - allocated0;
      rssKbAtEnd = stats.path("rssKb").asLong();
      try {
        sampler.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
