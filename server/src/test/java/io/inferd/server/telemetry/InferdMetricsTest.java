package io.inferd.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.Scheduler;
import org.junit.jupiter.api.Test;

class InferdMetricsTest {
  private static CallStats call(String method, String model, int prompt, int completion) {
    var stats = new CallStats("grpc", method, null, System.nanoTime() - 5_000_000);
    stats.model(model);
    if (completion > 0) {
      stats.firstToken();
    }
    stats.addUsage(prompt, completion);
    return stats;
  }

  @Test
  void callsOfOneSeries_addUp_andEachCodeAndSeriesCountsApart() {
    try (var metrics = new InferdMetrics(new Scheduler(1, 1, 100))) {
      for (int i = 0; i < 3; i++) {
        metrics.callStarted();
        metrics.record(call("Complete", "tiny", 7, 5), "OK", System.nanoTime());
      }
      metrics.callStarted();
      metrics.record(call("Complete", "tiny", 0, 0), "INVALID_ARGUMENT", System.nanoTime());
      metrics.callStarted();
      metrics.record(call("StreamComplete", "tiny", 7, 2), "OK", System.nanoTime());

      String scrape = metrics.scrape();
      assertThat(scrape)
          .contains(
              "inferd_requests_total{code=\"OK\",method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 3.0")
          .contains(
              "inferd_requests_total{code=\"INVALID_ARGUMENT\",method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 1.0")
          .contains(
              "inferd_completion_tokens_total{method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 15.0")
          .contains(
              "inferd_prompt_tokens_total{method=\"StreamComplete\",model=\"tiny\",protocol=\"grpc\"} 7.0")
          .contains(
              "inferd_request_duration_seconds_count{method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 4")
          .contains(
              "inferd_time_to_first_token_seconds_count{method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 3")
          .contains( // calls with more than one token: a speed after the first
              "inferd_tokens_per_second_count{method=\"Complete\",model=\"tiny\",protocol=\"grpc\"} 3")
          .contains(
              "inferd_tokens_per_second_count{method=\"StreamComplete\",model=\"tiny\",protocol=\"grpc\"} 1");
      assertThat(metrics.activeCalls()).isZero();
    }
  }
}
