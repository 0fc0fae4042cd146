package io.inferd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.api.v1.CompleteRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final Deadlines defaults = Deadlines.defaults();

  @Test
  void forCompletion_shortPromptAndFewTokens_isTheFloor() {
    // 2 s + 1 ms + 10 x 50 ms = 2.501 s, below the 5 s floor
    assertThat(defaults.forCompletion(request("hi", 10))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void forCompletion_maxTokensZero_assumes256Tokens() {
    // 2 s + ceil(2 / 4) x 1 ms + 256 x 50 ms
    assertThat(defaults.forCompletion(request("hi", 0))).isEqualTo(Duration.ofMillis(14_801));
  }

  @Test
  void forCompletion_growsWithMaxTokens() {
    assertThat(defaults.forCompletion(request("hi", 100))).isEqualTo(Duration.ofMillis(7_001));
    assertThat(defaults.forCompletion(request("hi", 1_000))).isEqualTo(Duration.ofMillis(52_001));
  }

  @Test
  void forCompletion_growsWithThePromptOfEveryMessage() {
    CompleteRequest longPrompt =
        Prompts.complete("s".repeat(20_000), "u".repeat(20_001)).toBuilder()
            .setMaxTokens(100)
            .build();

    // 2 s + ceil(40,001 / 4) = 10,001 tokens x 1 ms + 100 x 50 ms
    assertThat(defaults.forCompletion(longPrompt)).isEqualTo(Duration.ofMillis(17_001));
  }

  @Test
  void forCompletion_hugeRequest_isTheCeiling() {
    assertThat(defaults.forCompletion(request("hi", 100_000))).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void builder_tunedConstants_changeTheFormula() {
    Deadlines fast =
        Deadlines.builder()
            .base(Duration.ofMillis(500))
            .charsPerToken(2)
            .prefillPerToken(Duration.ofMillis(2))
            .perGeneratedToken(Duration.ofMillis(10))
            .assumedMaxTokens(100)
            .floor(Duration.ofSeconds(1))
            .ceiling(Duration.ofSeconds(60))
            .build();

    // 0.5 s + 500 tokens x 2 ms + 100 x 10 ms
    assertThat(fast.forCompletion(request("x".repeat(1_000), 0)))
        .isEqualTo(Duration.ofMillis(2_500));
    assertThat(fast.forCompletion(request("x", 1))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void builder_ceilingBelowFloor_isRejected() {
    var builder = Deadlines.builder().floor(Duration.ofSeconds(10)).ceiling(Duration.ofSeconds(5));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ceiling: PT5S (expected: >= floor PT10S)");
  }

  @Test
  void builder_nonsenseConstants_areRejected() {
    var builder = Deadlines.builder();

    assertThatThrownBy(() -> builder.charsPerToken(0))
        .hasMessageContaining("expected: a number > 0");
    assertThatThrownBy(() -> builder.base(Duration.ofMillis(-1))).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> builder.assumedMaxTokens(-1)).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> builder.floor(Duration.ZERO)).hasMessageContaining("> 0");
  }

  private static CompleteRequest request(String prompt, int maxTokens) {
    return Prompts.complete(prompt).toBuilder().setMaxTokens(maxTokens).build();
  }
}
