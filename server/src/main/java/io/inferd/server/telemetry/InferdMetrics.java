package io.inferd.server.telemetry;

import io.inferd.engine.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * inferd's Prometheus metrics: requests by protocol, method and code, latency and
 * time-to-first-token histograms, tokens and tokens/s, queue depth, busy slots and active streams.
 */
public final class InferdMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeCalls = new AtomicInteger();

  public InferdMetrics(Scheduler scheduler) {
    Gauge.builder("inferd_queue_depth", scheduler, Scheduler::queued)
        .description("Requests waiting for a generation slot")
        .register(registry);
    Gauge.builder("inferd_slots_busy", scheduler, Scheduler::running)
        .description("Generation slots in use")
        .register(registry);
    Gauge.builder("inferd_slots", scheduler, Scheduler::slots)
        .description("Generation slots in all")
        .register(registry);
    Gauge.builder("inferd_active_calls", activeCalls, AtomicInteger::get)
        .description("Calls and streams in progress, all protocols")
        .register(registry);
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
    Counter.builder("inferd_requests")
        .description("Calls by protocol, method and final status code")
        .tags("protocol", call.protocol(), "method", call.method(), "code", code)
        .register(registry)
        .increment();
    Timer.builder("inferd_request_duration")
        .description("Call duration, start to final status")
        .tags("protocol", call.protocol(), "method", call.method())
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry)
        .record(elapsed, TimeUnit.NANOSECONDS);
    long ttft = call.timeToFirstTokenNanos();
    if (ttft >= 0) {
      Timer.builder("inferd_time_to_first_token")
          .description("From call start to the first generated token")
          .tags("protocol", call.protocol(), "method", call.method())
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofMinutes(1))
          .register(registry)
          .record(ttft, TimeUnit.NANOSECONDS);
    }
    if (call.completionTokens() > 0) {
      Counter.builder("inferd_completion_tokens")
          .description("Tokens generated")
          .tags("protocol", call.protocol(), "method", call.method())
          .register(registry)
          .increment(call.completionTokens());
      long generating = ttft >= 0 ? endNanos - call.startNanos() - ttft : elapsed;
      if (generating > 0 && call.completionTokens() > 1) {
        DistributionSummary.builder("inferd_tokens_per_second")
            .description("Generation speed per call, after the first token")
            .tags("protocol", call.protocol(), "method", call.method())
            .register(registry)
            .record((call.completionTokens() - 1) / (generating / 1e9));
      }
    }
    if (call.promptTokens() > 0) {
      Counter.builder("inferd_prompt_tokens")
          .description("Prompt (and embedding input) tokens processed")
          .tags("protocol", call.protocol(), "method", call.method())
          .register(registry)
          .increment(call.promptTokens());
    }
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }
}
