package io.inferd.server.telemetry;

import io.inferd.engine.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    meters.get(Kind.DURATION).record(elapsed, TimeUnit.NANOSECONDS);
    long ttft = call.timeToFirstTokenNanos();
    if (ttft >= 0) {
      meters.get(Kind.TIME_TO_FIRST_TOKEN).record(ttft, TimeUnit.NANOSECONDS);
    }
    if (call.completionTokens() > 0) {
      meters.get(Kind.COMPLETION_TOKENS).increment(call.completionTokens());
      long generating = ttft >= 0 ? endNanos - call.startNanos() - ttft : elapsed;
      if (generating > 0 && call.completionTokens() > 1) {
        meters
            .get(Kind.TOKENS_PER_SECOND)
            .record((call.completionTokens() - 1) / (generating / 1e9));
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

  /** A per-call meter, one per series: its place in a series' meters and how it is registered. */
  private record Kind<M extends Meter>(
      int index, BiFunction<Tags, PrometheusMeterRegistry, M> register) {
    static final Kind<Timer> DURATION =
        new Kind<>(
            0,
            (tags, registry) ->
                Timer.builder("inferd_request_duration")
                    .description("Call duration, start to final status")
                    .tags(tags)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
    static final Kind<Timer> TIME_TO_FIRST_TOKEN =
        new Kind<>(
            1,
            (tags, registry) ->
                Timer.builder("inferd_time_to_first_token")
                    .description("From call start to the first generated token")
                    .tags(tags)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
    static final Kind<Counter> COMPLETION_TOKENS =
        new Kind<>(
            2,
            (tags, registry) ->
                Counter.builder("inferd_completion_tokens")
                    .description("Tokens generated")
                    .tags(tags)
                    .register(registry));
    static final Kind<DistributionSummary> TOKENS_PER_SECOND =
        new Kind<>(
            3,
            (tags, registry) ->
                DistributionSummary.builder("inferd_tokens_per_second")
                    .description("Generation speed per call, after the first token")
                    .tags(tags)
                    .serviceLevelObjectives(SPEED_BUCKETS)
                    .register(registry));
    static final Kind<Counter> PROMPT_TOKENS =
        new Kind<>(
            4,
            (tags, registry) ->
                Counter.builder("inferd_prompt_tokens")
                    .description("Prompt (and embedding input) tokens processed")
                    .tags(tags)
                    .register(registry));
    static final int COUNT = 5;
  }

  private SeriesMeters meters(Series key) {
    SeriesMeters meters = series.get(key);
    return meters != null ? meters : series.computeIfAbsent(key, SeriesMeters::new);
  }

  /**
   * A series' meters, each registered when the series first needs it and then kept: finding one
   * again through its builder sorts and hashes its tags, which cost more than the recording itself;
   * one lookup per call finds all of a call's meters.
   */
  private final class SeriesMeters {
    private final Tags tags;
    private final AtomicReferenceArray<Meter> byKind = new AtomicReferenceArray<>(Kind.COUNT);
    private final Map<String, Counter> requestsByCode = new ConcurrentHashMap<>();

    SeriesMeters(Series series) {
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

    <M extends Meter> M get(Kind<M> kind) {
      Meter meter = byKind.get(kind.index());
      if (meter == null) {
        // registering twice is harmless: the registry answers the meter it already holds
        meter = kind.register().apply(tags, registry);
        byKind.set(kind.index(), meter);
      }
      @SuppressWarnings("unchecked") // the slot of a kind holds what that kind registered
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
