package io.inferd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void defaults_areThreeRetriesFrom100msDoublingTo2s() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.maxRetries()).isEqualTo(3);
    assertThat(policy.maxAttempts()).isEqualTo(4);
    assertThat(policy.initialBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.backoffMultiplier()).isEqualTo(2.0);
  }

  @Test
  void serviceConfig_coversTheWholeServiceWithTheRetryPolicyAsGrpcParsesIt() {
    Map<String, ?> config =
        new RetryPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(3), 1.5).serviceConfig();

    assertThat(config)
        .isEqualTo(
            Map.of(
                "methodConfig",
                List.of(
                    Map.of(
                        "name", List.of(Map.of("service", "ai.inference.v1.InferenceService")),
                        "retryPolicy",
                            Map.of(
                                "maxAttempts",
                                3.0,
                                "initialBackoff",
                                "0.25s",
                                "maxBackoff",
                                "3s",
                                "backoffMultiplier",
                                1.5,
                                "retryableStatusCodes",
                                List.of(
                                    "UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"))))));
  }

  @Test
  void withMaxRetries_changesOnlyTheRetries() {
    assertThat(RetryPolicy.defaults().withMaxRetries(7))
        .isEqualTo(new RetryPolicy(7, Duration.ofMillis(100), Duration.ofSeconds(2), 2.0));
  }

  @Test
  void constructor_noRetries_isRejectedWithAPointerToNoRetry() {
    assertThatThrownBy(() -> RetryPolicy.defaults().withMaxRetries(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetries: 0 (expected: >= 1; noRetry() turns retries off)");
  }

  @Test
  void constructor_maxBackoffBelowInitialBackoff_isRejected() {
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBackoff: PT1S (expected: >= initialBackoff PT2S)");
  }

  @Test
  void constructor_nonPositiveMultiplierOrBackoff_isRejected() {
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(1), 0))
        .hasMessage("backoffMultiplier: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ofSeconds(1), 2))
        .hasMessage("initialBackoff: PT0S (expected: > 0)");
  }
}
