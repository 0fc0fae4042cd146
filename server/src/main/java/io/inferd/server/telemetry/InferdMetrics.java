package io.inferd.server.telemetry;

import io.inferd.engine.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;

/**
 * inferd's Prometheus metrics: requests by protocol, method, model and code, latency and
 * time-to-first-token histograms, tokens and tokens/s, queue depth, busy slots and active streams;
 * and the JVM's and the process's own (memory, GC, threads, classes, CPU, file descriptors,
 * uptime).
 *
 * <p>Histograms have fixed buckets chosen for inference ({@link #LATENCY_BUCKETS}: 5 ms to 2 min),
 * 16 series each with +Inf, where Micrometer's percentile histogram would write about 70-85.
 */
public final class InferdMetrics implements AutoCloseable {
  /** Upper bounds of the latency and time-to-first-token buckets. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(20),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
  };

  /** Upper bounds of the tokens-per-second buckets: a CPU's few to a GPU's thousands. */
  static final double[] SPEED_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Every call changes it twice, on whichever thread it runs: no single contended counter.
  private final LongAdder activeCalls = new LongAdder();
  private final Map<Series, SeriesMeters> series = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Histogram durations =
      histogram(
          "inferd_request_duration_seconds",
          "Call duration, start to final status",
          seconds(LATENCY_BUCKETS));
  private final Histogram timesToFirstToken =
      histogram(
          "inferd_time_to_first_token_seconds",
          "From call start to the first generated token",
          seconds(LATENCY_BUCKETS));
  private final Histogram speeds =
      histogram(
          "inferd_tokens_per_second",
          "Generation speed per call, after the first token",
          SPEED_BUCKETS);

  public InferdMetrics(Scheduler scheduler) {
    gauge(
        "inferd_queue_depth",
        scheduler,
        Scheduler::queued,
        "Requests waiting for a generation slot");
    gauge("inferd_slots_busy", scheduler, Scheduler::running, "Generation slots in use");
    gauge("inferd_slots", scheduler, Scheduler::slots, "Generation slots in all");
    gauge(
        "inferd_active_calls",
        activeCalls,
        LongAdder::sum,
        "Calls and streams in progress, all protocols");
    for (Histogram histogram : List.of(durations, timesToFirstToken, speeds)) {
      registry.getPrometheusRegistry().register(histogram);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  private <T> void gauge(String name, T source, ToDoubleFunction<T> value, String description) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }

  /** Calls started and not yet reported finished. */
  public int activeCalls() {
    return activeCalls.intValue();
  }

  public void callStarted() {
    activeCalls.increment();
  }

  public void record(CallStats call, String code, long endNanos) {
    activeCalls.decrement();
    long elapsed = endNanos - call.startNanos();
    // the resolved model only (never a name a client made up), "" when no model served the call
    SeriesMeters meters = meters(new Series(call.protocol(), call.method(), call.model()));
    meters.requests(code).increment();
    meters.get(Kind.DURATION).observe(elapsed / 1e9);
    long ttft = call.timeToFirstTokenNanos();
    if (ttft >= 0) {
      meters.get(Kind.TIME_TO_FIRST_TOKEN).observe(ttft / 1e9);
    }
    if (call.completionTokens() > 0) {
      meters.get(Kind.COMPLETION_TOKENS).increment(call.completionTokens());
      long generating = ttft >= 0 ? endNanos - call.startNanos() - ttft : elapsed;
      if (generating > 0 && call.completionTokens() > 1) {
        meters
            .get(Kind.TOKENS_PER_SECOND)
            .observe((call.completionTokens() - 1) / (generating / 1e9));
      }
    }
    if (call.promptTokens() > 0) {
      meters.get(Kind.PROMPT_TOKENS).increment(call.promptTokens());
    }
  }

  private record Series(String protocol, String method, String model) {}

  /** A series' call counter for one final code; the other meters are one per series. */
  private static Counter registerRequests(Tags tags, PrometheusMeterRegistry registry) {
    return Counter.builder("inferd_requests")
        .description("Calls by protocol, method, model and final status code")
        .tags(tags)
        .register(registry);
  }

  /**
   * A histogram of the Prometheus client itself, in Micrometer's registry so that one scrape shows
   * both: its buckets are striped adders, where Micrometer's are one atomic array that every call's
   * thread increments (on 2 cores, 480 ns a Micrometer timer's record against 140 ns here).
   */
  private static Histogram histogram(String name, String help, double... upperBounds) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .labelNames("protocol", "method", "model")
        .classicUpperBounds(upperBounds)
        .classicOnly()
        .withoutExemplars()
        .build();
  }

  private static double[] seconds(Duration[] bounds) {
    double[] seconds = new double[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      seconds[i] = bounds[i].toNanos() / 1e9;
    }
    return seconds;
  }

  /** A per-call meter, one per series: its place in a series' meters and how it is made. */
  private record Kind<M>(int index, BiFunction<InferdMetrics, SeriesMeters, M> create) {
    static final Kind<DistributionDataPoint> DURATION =
        new Kind<>(0, (metrics, series) -> series.point(metrics.durations));
    static final Kind<DistributionDataPoint> TIME_TO_FIRST_TOKEN =
        new Kind<>(1, (metrics, series) -> series.point(metrics.timesToFirstToken));
    static final Kind<Counter> COMPLETION_TOKENS =
        new Kind<>(
            2,
            (metrics, series) ->
                Counter.builder("inferd_completion_tokens")
                    .description("Tokens generated")
                    .tags(series.tags)
                    .register(metrics.registry));
    static final Kind<DistributionDataPoint> TOKENS_PER_SECOND =
        new Kind<>(3, (metrics, series) -> series.point(metrics.speeds));
    static final Kind<Counter> PROMPT_TOKENS =
        new Kind<>(
            4,
            (metrics, series) ->
                Counter.builder("inferd_prompt_tokens")
                    .description("Prompt (and embedding input) tokens processed")
                    .tags(series.tags)
                    .register(metrics.registry));
    static final int COUNT = 5;
  }

  private SeriesMeters meters(Series key) {
    SeriesMeters meters = series.get(key);
    return meters != null ? meters : series.computeIfAbsent(key, SeriesMeters::new);
  }

  /**
   * A series' meters, each made when the series first needs it and then kept: finding one again
   * through its builder sorts and hashes its tags, which cost more than the recording itself; one
   * lookup per call finds all of a call's meters.
   */
  private final class SeriesMeters {
    private final Series series;
    private final Tags tags;
    private final AtomicReferenceArray<Object> byKind = new AtomicReferenceArray<>(Kind.COUNT);
    private final Map<String, Counter> requestsByCode = new ConcurrentHashMap<>();

    SeriesMeters(Series series) {
      this.series = series;
      this.tags =
          Tags.of(
              "protocol", series.protocol(), "method", series.method(), "model", series.model());
    }

    Counter requests(String code) {
      Counter counter = requestsByCode.get(code);
      return counter != null
          ? counter
          : requestsByCode.computeIfAbsent(
              code, c -> registerRequests(tags.and("code", c), registry));
    }

    DistributionDataPoint point(Histogram histogram) {
      return histogram.labelValues(series.protocol(), series.method(), series.model());
    }

    <M> M get(Kind<M> kind) {
      Object meter = byKind.get(kind.index());
      if (meter == null) {
        // making one twice is harmless: registry and histogram answer the one they already hold
        meter = kind.create().apply(InferdMetrics.this, this);
        byKind.set(kind.index(), meter);
      }
      @SuppressWarnings("unchecked") // the slot of a kind holds what that kind made
      M typed = (M) meter;
      return typed;
    }
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops listening for GC notifications. */
  @Override
  public void close() {
    gc.close();
  }
}
