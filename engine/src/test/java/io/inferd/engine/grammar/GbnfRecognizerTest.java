package io.inferd.engine.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test recognizer itself: it must catch what llama.cpp would refuse, and match like it. */
class GbnfRecognizerTest {

  @Test
  void matchesLiteralsClassesGroupsAndRepetitions() {
    var r =
        GbnfRecognizer.parse(
            "root ::= \"a\" [b-d]{2,3} (x | \"z\")* [^\\x00-\\x1F\"]?  # comment\n"
                + "x ::= \"\\\"\" \"é\"\n");
    assertThat(r.accepts("abc")).isTrue();
    assertThat(r.accepts("abcd\"éz😀")).isTrue();
    assertThat(r.accepts("ab")).isFalse();
    assertThat(r.accepts("abcdbb")).isFalse();
    assertThat(r.accepts("abc\n")).isFalse();
  }

  @Test
  void refusesWhatLlamaCppRefuses() {
    assertThatThrownBy(() -> GbnfRecognizer.parse("root ::= a\n"))
        .hasMessageContaining("undefined rule a");
    assertThatThrownBy(() -> GbnfRecognizer.parse("root ::= a\na ::= b \"x\"\nb ::= \"y\"? a\n"))
        .hasMessageContaining("left recursion");
    assertThatThrownBy(() -> GbnfRecognizer.parse("root ::= \"x\"{0,2001}\n"))
        .hasMessageContaining("repetition count");
    assertThatThrownBy(() -> GbnfRecognizer.parse("root ::= \"x\"\nunused ::= \"y\"\n"))
        .hasMessageContaining("never used");
    assertThatThrownBy(() -> GbnfRecognizer.parse("root ::= my_rule\nmy_rule ::= \"x\"\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
