package io.inferd.app.models;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line download progress bar, redrawn in place with {@code \r}: bytes, percent, speed and
 * time left. When the output is not a terminal it prints a line per 10% instead of redrawing.
 */
final class ProgressBar implements ModelDownloader.ProgressListener {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintWriter out;
  private final String label;
  private final boolean interactive;
  private final LongSupplier nanoTime;
  private long startNanos;
  private long startBytes;
  private long lastDrawNanos;
  private int lastDecile = -1;
  private int lastLength;
  private boolean drawn;

  ProgressBar(PrintWriter out, String label, boolean interactive, LongSupplier nanoTime) {
    this.out = requireNonNull(out, "out");
    this.label = requireNonNull(label, "label");
    this.interactive = interactive;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public void started(long from, long total) {
    startNanos = nanoTime.getAsLong();
    startBytes = from;
    lastDrawNanos = Long.MIN_VALUE;
    if (from > 0) {
      finishLine();
      out.println("resuming " + label + " at " + bytes(from));
      out.flush();
    }
    advanced(from, total);
  }

  @Override
  public void advanced(long done, long total) {
    long now = nanoTime.getAsLong();
    boolean last = total >= 0 && done >= total;
    if (interactive) {
      if (!last && lastDrawNanos != Long.MIN_VALUE && now - lastDrawNanos < REDRAW_NANOS) {
        return;
      }
      lastDrawNanos = now;
      String line = line(done, total, now);
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
      drawn = true;
      if (last) {
        finishLine();
      }
      out.flush();
      return;
    }
    int decile = total > 0 ? (int) (done * 10 / total) : -1;
    if (decile > lastDecile || last) {
      lastDecile = decile;
      out.println(line(done, total, now));
      out.flush();
    }
  }

  @Override
  public void retrying(int attempt, int retries, String reason) {
    finishLine();
    out.println(reason + ", attempt " + attempt + " of " + retries);
    out.flush();
  }

  /** Ends the redrawn line, so that what follows starts on a line of its own. */
  void finishLine() {
    if (drawn) {
      out.println();
      drawn = false;
      lastLength = 0;
    }
  }

  String line(long done, long total, long now) {
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    double speed = (done - startBytes) / seconds;
    StringBuilder s = new StringBuilder(label).append(' ');
    if (total > 0) {
      double fraction = Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(fraction * WIDTH);
      s.append(String.format(Locale.ROOT, "%3d%% [", (int) Math.floor(fraction * 100)));
      s.append("=".repeat(filled));
      if (filled < WIDTH) {
        s.append('>').append(" ".repeat(WIDTH - filled - 1));
      }
      s.append("] ").append(bytes(done)).append(" / ").append(bytes(total));
    } else {
      s.append(bytes(done));
    }
    s.append("  ").append(bytes((long) speed)).append("/s");
    if (total > 0 && done < total && speed > 0 && now > startNanos) {
      s.append("  ETA ").append(duration((long) ((total - done) / speed)));
    } else if (total > 0 && done >= total) {
      s.append("  in ").append(duration((long) seconds));
    }
    return s.toString();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int unit = -1;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
  }

  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
