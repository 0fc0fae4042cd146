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
import java.util.concurrent.atomic.AtomicInteger;
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
  private final AtomicInteger activeCalls = new AtomicInteger();
  private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();
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
        AtomicInteger::get,
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
    return activeCalls.get();
  }

  public void callStarted() {
    activeCalls.incrementAndGet();
  }

  public void record(CallStats call, String code, long endNanos) {
    activeCalls.decrementAndGet();
    long elapsed = endNanos - call.startNanos();
    // the resolved model only (never a name a client made up), "" when no model served the call
    var series = new Series(call.protocol(), call.method(), call.model());
    meter(series, Kind.REQUESTS, code).increment();
    meter(series, Kind.DURATION, "").record(elapsed, TimeUnit.NANOSECONDS);
    long ttft = call.timeToFirstTokenNanos();
    if (ttft >= 0) {
      meter(series, Kind.TIME_TO_FIRST_TOKEN, "").record(ttft, TimeUnit.NANOSECONDS);
    }
    if (call.completionTokens() > 0) {
      meter(series, Kind.COMPLETION_TOKENS, "").increment(call.completionTokens());
      long generating = ttft >= 0 ? endNanos - call.startNanos() - ttft : elapsed;
      if (generating > 0 && call.completionTokens() > 1) {
        meter(series, Kind.TOKENS_PER_SECOND, "")
            .record((call.completionTokens() - 1) / (generating / 1e9));
      }
    }
    if (call.promptTokens() > 0) {
      meter(series, Kind.PROMPT_TOKENS, "").increment(call.promptTokens());
    }
  }

  private record Series(String protocol, String method, String model) {}

  private record MeterKey(Series series, Kind<?> kind, String code) {}

  /** A per-call meter and how it is registered the first time a series needs it. */
  private record Kind<M extends Meter>(BiFunction<Tags, PrometheusMeterRegistry, M> register) {
    static final Kind<Counter> REQUESTS =
        new Kind<>(
            (tags, registry) ->
                Counter.builder("inferd_requests")
                    .description("Calls by protocol, method, model and final status code")
                    .tags(tags)
                    .register(registry));
    static final Kind<Timer> DURATION =
        new Kind<>(
            (tags, registry) ->
                Timer.builder("inferd_request_duration")
                    .description("Call duration, start to final status")
                    .tags(tags)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
    static final Kind<Timer> TIME_TO_FIRST_TOKEN =
        new Kind<>(
            (tags, registry) ->
                Timer.builder("inferd_time_to_first_token")
                    .description("From call start to the first generated token")
                    .tags(tags)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
    static final Kind<Counter> COMPLETION_TOKENS =
        new Kind<>(
            (tags, registry) ->
                Counter.builder("inferd_completion_tokens")
                    .description("Tokens generated")
                    .tags(tags)
                    .register(registry));
    static final Kind<DistributionSummary> TOKENS_PER_SECOND =
        new Kind<>(
            (tags, registry) ->
                DistributionSummary.builder("inferd_tokens_per_second")
                    .description("Generation speed per call, after the first token")
                    .tags(tags)
                    .serviceLevelObjectives(SPEED_BUCKETS)
                    .register(registry));
    static final Kind<Counter> PROMPT_TOKENS =
        new Kind<>(
            (tags, registry) ->
                Counter.builder("inferd_prompt_tokens")
                    .description("Prompt (and embedding input) tokens processed")
                    .tags(tags)
                    .register(registry));
  }

  /**
   * A series' meter, registered when first needed and then kept: finding it again through its
   * builder sorts and hashes its tags, which cost more than the recording itself.
   */
  private <M extends Meter> M meter(Series series, Kind<M> kind, String code) {
    var key = new MeterKey(series, kind, code);
    Meter meter = meters.get(key);
    if (meter == null) {
      meter =
          meters.computeIfAbsent(
              key,
              k -> {
                Tags tags =
                    Tags.of(
                        "protocol",
                        series.protocol(),
                        "method",
                        series.method(),
                        "model",
                        series.model());
                return kind.register()
                    .apply(code.isEmpty() ? tags : tags.and("code", code), registry);
              });
    }
    @SuppressWarnings("unchecked") // a key's kind registered it
    M typed = (M) meter;
    return typed;
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
