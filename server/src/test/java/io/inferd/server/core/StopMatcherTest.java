package io.inferd.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {

  /** Feeds the pieces in order and returns everything released, flushing if no stop was found. */
  private static String run(StopMatcher matcher, String... pieces) {
    StringBuilder out = new StringBuilder();
    for (String piece : pieces) {
      out.append(matcher.accept(piece));
    }
    out.append(matcher.flush());
    return out.toString();
  }

  @Test
  void noStops_releasesEverythingAtOnce() {
    StopMatcher m = new StopMatcher(List.of());
    assertThat(m.accept("hello")).isEqualTo("hello");
    assertThat(m.stopped()).isFalse();
  }

  @Test
  void noStops_holdsOnlyHalfACharacterUntilItsOtherHalfComes() {
    StopMatcher m = new StopMatcher(List.of());
    assertThat(m.accept("a\uD83D")).isEqualTo("a");
    assertThat(m.accept("\uDE00b")).isEqualTo("\uD83D\uDE00b");
    assertThat(m.accept("c")).isEqualTo("c");
    assertThat(m.releasedChars()).isEqualTo(5);
    assertThat(m.flush()).isEmpty();
  }

  @Test
  void stopInsideOnePiece_releasesOnlyTheTextBeforeIt() {
    StopMatcher m = new StopMatcher(List.of("\n"));
    assertThat(m.accept("In the\nbeginning")).isEqualTo("In the");
    assertThat(m.stopped()).isTrue();
    assertThat(m.accept("more")).isEmpty();
    assertThat(m.flush()).isEmpty();
  }

  @Test
  void stopSplitAcrossPieces_stopsAndNothingOfItIsReleased() {
    StopMatcher m = new StopMatcher(List.of("END"));
    assertThat(m.accept("and the E")).isEqualTo("and the ");
    assertThat(m.accept("N")).isEmpty();
    assertThat(m.stopped()).isFalse();
    assertThat(m.accept("D of it")).isEmpty();
    assertThat(m.stopped()).isTrue();
    assertThat(m.releasedChars()).isEqualTo("and the ".length());
  }

  @Test
  void heldTextThatTurnsOutNotToBeAStop_isReleasedLater() {
    StopMatcher m = new StopMatcher(List.of("END"));
    assertThat(m.accept("the EN")).isEqualTo("the ");
    assertThat(m.accept("d")).isEqualTo("ENd");
    assertThat(m.accept(" E")).isEqualTo(" ");
    assertThat(m.flush()).isEqualTo("E");
  }

  @Test
  void overlappingPrefix_aRepeatedFirstLetterStillMatches() {
    assertThat(run(new StopMatcher(List.of("aab")), "a", "a", "a", "b", "c")).isEqualTo("a");
    assertThat(run(new StopMatcher(List.of("abab")), "ab", "a", "bab")).isEmpty();
  }

  @Test
  void severalStops_theEarliestInTheTextWins() {
    StopMatcher m = new StopMatcher(List.of("world", "lo"));
    assertThat(run(m, "hel", "lo world")).isEqualTo("hel");
    StopMatcher other = new StopMatcher(List.of("xyz", "yz!"));
    assertThat(run(other, "ab", "xy", "z!")).isEqualTo("ab");
  }

  @Test
  void stopThatIsAPrefixOfAnother_stopsAtTheShorterOne() {
    assertThat(run(new StopMatcher(List.of("\n\n", "\n")), "one", "\n", "\ntwo")).isEqualTo("one");
  }

  @Test
  void unicode_surrogatePairsAreNeverSplitAndStopsMayBeNonAscii() {
    StopMatcher m = new StopMatcher(List.of("🙂!"));
    String smile = "🙂";
    assertThat(m.accept("ok " + smile.charAt(0))).isEqualTo("ok ");
    assertThat(m.accept(String.valueOf(smile.charAt(1)))).isEmpty(); // may still become "🙂!"
    assertThat(m.accept("?")).isEqualTo(smile + "?");
    assertThat(run(new StopMatcher(List.of("ä")), "Gr", "äße")).isEqualTo("Gr");
    // a high surrogate at the end of a piece waits for its partner even without any stop
    StopMatcher none = new StopMatcher(List.of("x"));
    assertThat(none.accept("a" + smile.charAt(0))).isEqualTo("a");
    assertThat(none.accept(smile.charAt(1) + "b")).isEqualTo(smile + "b");
  }

  @Test
  void emptyStop_isRejected() {
    assertThatThrownBy(() -> new StopMatcher(List.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stop");
  }
}
