package io.inferd.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.Sampling;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BenchOnlyEngineTest {
  private final BenchOnlyEngine engine = new BenchOnlyEngine(Duration.ZERO, 1);

  /** Collects what the engine gives, stopping it after {@code limit} tokens. */
  private static TokenSink collecting(List<String> pieces, int limit) {
    return new TokenSink() {
      @Override
      public boolean onToken(String piece) {
        pieces.add(piece);
        return pieces.size() < limit;
      }
    };
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 64, 256, 300}) // 300: past the tokens it has, which it repeats
  void itsTextIsTheTokensItGave(int maxTokens) {
    List<String> pieces = new ArrayList<>();
    Generation generation =
        engine.generate(
            new GenerationRequest(new Prompt("hi", 1), maxTokens, Sampling.greedy()),
            collecting(pieces, Integer.MAX_VALUE));

    assertThat(pieces).hasSize(maxTokens);
    assertThat(generation.text()).isEqualTo(String.join("", pieces));
    assertThat(generation.completionTokens()).isEqualTo(maxTokens);
    assertThat(generation.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void aSinkThatStops_endsTheTextWithTheLastTokenItTook() {
    List<String> pieces = new ArrayList<>();
    Generation generation =
        engine.generate(
            new GenerationRequest(new Prompt("hi", 1), 64, Sampling.greedy()),
            collecting(pieces, 5));

    assertThat(pieces).hasSize(5);
    assertThat(generation.text()).isEqualTo(String.join("", pieces));
    assertThat(generation.completionTokens()).isEqualTo(5);
    assertThat(generation.finishReason()).isEqualTo(FinishReason.CANCELLED);
  }

  @Test
  void render_putsEachTurnOnALine_andCountsWordsAsTokens() {
    List<Turn> conversation =
        List.of(Turn.user("What is gRPC?"), Turn.assistant("An RPC\tframework."), Turn.user("ok"));

    Prompt prompt = engine.render(conversation);

    assertThat(prompt.text()).isEqualTo("What is gRPC?\nAn RPC\tframework.\nok");
    assertThat(prompt.tokenCount()).isEqualTo(7);
    assertThat(prompt.conversation()).isEqualTo(conversation);
  }
}
