package io.inferd.app.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final AtomicLong nanos = new AtomicLong();
  private final StringWriter out = new StringWriter();

  @Test
  void line_showsBytesPercentSpeedAndTimeLeft() {
    ProgressBar bar = new ProgressBar(new PrintWriter(out), "m.gguf", true, nanos::get);
    bar.started(0, 4L << 20);
    nanos.set(2_000_000_000L);

    assertThat(bar.line(1L << 20, 4L << 20, nanos.get()))
        .isEqualTo(
            "m.gguf  25% [========>                     ] 1.0 MiB / 4.0 MiB  512.0 KiB/s  ETA 0:06");
  }

  @Test
  void terminal_redrawsOneLineWithCarriageReturns_andEndsItWhenDone() {
    ProgressBar bar = new ProgressBar(new PrintWriter(out), "m.gguf", true, nanos::get);
    bar.started(0, 1000);
    nanos.set(1_000_000_000L);
    bar.advanced(500, 1000);
    nanos.set(2_000_000_000L);
    bar.advanced(1000, 1000);

    String text = out.toString();
    assertThat(text)
        .doesNotContain("\n" + "m.gguf")
        .contains("100% [")
        .contains("in 0:02")
        .endsWith("\n");
    assertThat(text.split("\r")).hasSize(4); // "", 0%, 50%, 100%
  }

  @Test
  void log_getsALinePerTenPercent() {
    ProgressBar bar = new ProgressBar(new PrintWriter(out), "m.gguf", false, nanos::get);
    bar.started(0, 100);
    for (int i = 1; i <= 100; i++) {
      bar.advanced(i, 100);
    }
    assertThat(out.toString().lines()).hasSize(11).last().asString().contains("100% [");
  }

  @Test
  void unknownSize_showsBytesAndSpeedOnly() {
    ProgressBar bar = new ProgressBar(new PrintWriter(out), "m.gguf", true, nanos::get);
    bar.started(0, -1);
    nanos.set(1_000_000_000L);
    assertThat(bar.line(2048, -1, nanos.get())).isEqualTo("m.gguf 2.0 KiB  2.0 KiB/s");
  }

  @Test
  void sizesAndDurations_readLikeAPerson() {
    assertThat(ProgressBar.bytes(999)).isEqualTo("999 B");
    assertThat(ProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(ProgressBar.bytes(398L << 20)).isEqualTo("398.0 MiB");
    assertThat(ProgressBar.duration(59)).isEqualTo("0:59");
    assertThat(ProgressBar.duration(3725)).isEqualTo("1:02:05");
  }
}
