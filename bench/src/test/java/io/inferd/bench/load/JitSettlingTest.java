package io.inferd.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.bench.report.Results;
import java.time.Duration;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

class JitSettlingTest {
  private static final Duration WINDOW = Duration.ofSeconds(5);

  @Test
  void loadsUntilTheFirstQuietWindow() throws Exception {
    var windows = windows(0.40, 0.20, 0.04, 0.01);

    Results.Warmup warmup = JitSettling.settle("unary", 16, "inferd", WINDOW, 24, windows::remove);

    assertThat(warmup.seconds()).isEqualTo(15.0);
    assertThat(warmup.callers()).isEqualTo(16);
    assertThat(warmup.jitShare()).isEqualTo(0.04);
    assertThat(warmup.settled()).isTrue();
    assertThat(windows).hasSize(1);
  }

  @Test
  void stopsAtTheCap_sayingTheJitWasStillBusy() throws Exception {
    var windows = windows(0.40, 0.30, 0.20, 0.10, 0.01);

    Results.Warmup warmup = JitSettling.settle("stream", 16, "bare", WINDOW, 3, windows::remove);

    assertThat(warmup.seconds()).isEqualTo(15.0);
    assertThat(warmup.jitShare()).isEqualTo(0.20);
    assertThat(warmup.settled()).isFalse();
  }

  @Test
  void loadsAtLeastOnce_evenWithACapBelowOneWindow() throws Exception {
    var windows = windows(0.50, 0.0);

    Results.Warmup warmup = JitSettling.settle("unary", 16, "inferd", WINDOW, 0, windows::remove);

    assertThat(warmup.seconds()).isEqualTo(5.0);
    assertThat(windows).hasSize(1);
  }

  @Test
  void theCapAllowsWholeWindows_atLeastOne() {
    assertThat(JitSettling.windows(WINDOW, Duration.ofSeconds(120))).isEqualTo(24);
    assertThat(JitSettling.windows(WINDOW, Duration.ofSeconds(12))).isEqualTo(2);
    assertThat(JitSettling.windows(WINDOW, Duration.ofSeconds(3))).isEqualTo(1);
  }

  @Test
  void aWindowWithoutCpu_isQuiet() {
    assertThat(new JitSettling.Window(0, 0).jitShare()).isZero();
    assertThat(new JitSettling.Window(1_000, 250).jitShare()).isEqualTo(0.25);
  }

  /** Windows in which the JIT took these shares of 1 s of server CPU. */
  private static ArrayDeque<JitSettling.Window> windows(double... shares) {
    var windows = new ArrayDeque<JitSettling.Window>();
    for (double share : shares) {
      windows.add(new JitSettling.Window(1_000_000_000L, Math.round(share * 1_000_000_000L)));
    }
    return windows;
  }
}
