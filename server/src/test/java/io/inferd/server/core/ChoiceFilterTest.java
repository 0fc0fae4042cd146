package io.inferd.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChoiceFilterTest {
  private final List<String> texts = new ArrayList<>();
  private final List<GeneratedToken> tokens = new ArrayList<>();

  private ChoiceFilter filter(List<String> stops, boolean logprobs) {
    return new ChoiceFilter(
        2,
        stops,
        (index, text, pieceTokens) -> {
          assertThat(index).isEqualTo(2);
          texts.add(text);
          tokens.addAll(pieceTokens);
          return true;
        },
        logprobs,
        ToolUse.NONE,
        16);
  }

  private static GeneratedToken token(String text, int id) {
    return new GeneratedToken(text, id, -0.5f, List.of());
  }

  @Test
  void stopAcrossTokens_stopsTheEngine_keepsOnlyTokensThatStartBeforeIt() {
    ChoiceFilter f = filter(List.of("END"), true);
    assertThat(f.onToken(token("Hello ", 1))).isTrue();
    assertThat(f.onToken(token("wE", 2))).isTrue(); // "E" held back
    assertThat(f.onToken(token("N", 3))).isTrue();
    assertThat(f.onToken(token("D!", 4))).isFalse(); // stop complete: no more decoding

    Completion.Choice choice =
        f.finish(new Generation("Hello wEND!", 3, 4, FinishReason.CANCELLED));
    assertThat(String.join("", texts)).isEqualTo("Hello w");
    assertThat(choice.generation().text()).isEqualTo("Hello w");
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(choice.generation().completionTokens()).isEqualTo(4);
    // "N" and "D!" lie wholly inside the stop text; "wE" starts before it
    assertThat(choice.logprobs()).extracting(GeneratedToken::id).containsExactly(1, 2);
    assertThat(tokens).extracting(GeneratedToken::id).containsExactly(1, 2);
  }

  @Test
  void noStop_heldTextAndTokensAreReleasedWhenTheEngineEnds() {
    ChoiceFilter f = filter(List.of("\n\n"), true);
    f.onToken(token("line", 1));
    f.onToken(token("\n", 2)); // may be the start of "\n\n"
    assertThat(texts).containsExactly("line", ""); // the held "\n" still shows a token went by
    assertThat(tokens).extracting(GeneratedToken::id).containsExactly(1);

    Completion.Choice choice = f.finish(new Generation("line\n", 3, 2, FinishReason.LENGTH));
    assertThat(String.join("", texts)).isEqualTo("line\n");
    assertThat(choice.generation().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(choice.logprobs()).extracting(GeneratedToken::id).containsExactly(1, 2);
  }

  @Test
  void withoutLogprobs_noTokensAreKept_andEveryTokenGetsAPiece() {
    ChoiceFilter f = filter(List.of(), false);
    f.onToken(token("", 1)); // half a character
    f.onToken(token("é", 2));
    assertThat(texts).containsExactly("", "é");
    assertThat(f.finish(new Generation("é", 1, 2, FinishReason.STOP)).logprobs()).isEmpty();
  }

  @Test
  void withoutStopsOrTools_theAnswerIsTheEnginesOwnText() {
    ChoiceFilter f = filter(List.of(), false);
    f.onToken(token("\uD83D", 1)); // half a surrogate pair: held until its other half comes
    f.onToken(token("\uDE00 ok", 2));
    assertThat(texts).containsExactly("", "\uD83D\uDE00 ok");

    var generation = new Generation("\uD83D\uDE00 ok", 1, 2, FinishReason.LENGTH);
    assertThat(f.finish(generation).generation()).isSameAs(generation);
  }

  @Test
  void aClientThatLeft_stopsTheEngine_andTheFinishReasonStaysCancelled() {
    ChoiceFilter f = new ChoiceFilter(0, List.of("x"), (i, t, k) -> false, false, ToolUse.NONE, 16);
    assertThat(f.onToken(token("abc", 1))).isFalse();
    assertThat(
            f.finish(new Generation("abc", 1, 1, FinishReason.CANCELLED))
                .generation()
                .finishReason())
        .isEqualTo(FinishReason.CANCELLED);
  }
}
