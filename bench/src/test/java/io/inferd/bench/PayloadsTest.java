package io.inferd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayloadsTest {
  @Test
  void countTokens_countsWordsBetweenAnyWhitespace() {
    assertThat(Payloads.countTokens("")).isZero();
    assertThat(Payloads.countTokens(" \t\n")).isZero();
    assertThat(Payloads.countTokens("What is gRPC?")).isEqualTo(3);
    assertThat(Payloads.countTokens("  a\tb\nc\u000Bd\u001Fe  ")).isEqualTo(5);
    // non-ASCII: an em space separates, a no-break space and letters do not
    assertThat(Payloads.countTokens("héllo\u2003wörld\u00A0x")).isEqualTo(2);
  }
}
