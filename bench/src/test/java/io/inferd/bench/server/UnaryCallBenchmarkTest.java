package io.inferd.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.api.v1.CompleteResponse;
import io.inferd.bench.Payloads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark times a call that succeeds, with the answer of the same size on both servers. */
class UnaryCallBenchmarkTest {
  @ParameterizedTest
  @ValueSource(strings = {"inferd", "bare"})
  void eachServerAnswersTheBenchmarksCall_withTheBenchEnginesText(String server) throws Exception {
    var benchmark = new UnaryCallBenchmark();
    benchmark.server = server;
    benchmark.start();
    try {
      CompleteResponse first = benchmark.complete();
      CompleteResponse second = benchmark.complete();

      assertThat(first.getChoices(0).getMessage().getContent())
          .isEqualTo(Payloads.text(Payloads.UNARY_MAX_TOKENS));
      assertThat(first.getUsage().getCompletionTokens()).isEqualTo(Payloads.UNARY_MAX_TOKENS);
      // created_at's nanos are a varint: a second (or 2^28 ns) boundary between the calls moves it
      assertThat(withoutCreatedAt(second).getSerializedSize())
          .isEqualTo(withoutCreatedAt(first).getSerializedSize());
    } finally {
      benchmark.stop();
    }
  }

  private static CompleteResponse withoutCreatedAt(CompleteResponse response) {
    return response.toBuilder().clearCreatedAt().build();
  }
}
