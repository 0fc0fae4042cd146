package io.inferd.bench.load;

import io.inferd.bench.report.Results;
import java.io.IOException;
import java.time.Duration;

/**
 * Loads a server until its JIT compiler threads go quiet, before a transport point is measured:
 * windows of load until one in which the compiler threads took under {@link #QUIET_JIT_SHARE} of
 * the server's CPU, or until the cap. A point measured before that counts compiling code as a cost
 * per call, and counts it more for the server with more code: at one caller, ten seconds into the
 * run, a third of either server's CPU was still the JIT's, and it took it 40 to 50 s to settle.
 *
 * <p>The load is the point's own (the same client, method and callers): a server settled by one
 * client at 16 callers compiled again under ghz at 16 callers, and its JIT took 18% of its CPU in
 * the measured rounds.
 */
final class JitSettling {
  /** Under this share of the server's CPU in one window, the JIT counts as settled. */
  static final double QUIET_JIT_SHARE = 0.05;

  /** One window of load, as the server spent it. */
  record Window(long cpuNanos, long jitNanos) {
    double jitShare() {
      return cpuNanos > 0 ? (double) jitNanos / cpuNanos : 0;
    }
  }

  /** Puts one window of load on the server and says what it cost it. */
  @FunctionalInterface
  interface Load {
    Window run() throws IOException, InterruptedException;
  }

  private JitSettling() {}

  /**
   * Runs {@code load} until a window is quiet, at most {@code maxWindows} times (at least once);
   * the result names the point and the server and says how long it took and how it ended.
   */
  static Results.Warmup settle(
      String scenario, int callers, String server, Duration window, int maxWindows, Load load)
      throws IOException, InterruptedException {
    int windows = 0;
    double share;
    do {
      share = load.run().jitShare();
      windows++;
    } while (share >= QUIET_JIT_SHARE && windows < maxWindows);
    return new Results.Warmup(
        scenario,
        callers,
        server,
        window.multipliedBy(windows).toMillis() / 1000.0,
        share,
        QUIET_JIT_SHARE);
  }

  /** The number of windows of {@code window} that fit in {@code cap}, at least one. */
  static int windows(Duration window, Duration cap) {
    return (int) Math.max(1, cap.toMillis() / Math.max(1, window.toMillis()));
  }

  /** Settles {@code server} under {@code work} at 16 callers of inferd-bench's own client. */
  static Results.Warmup settle(
      String scenario,
      String name,
      ServerUnderTest server,
      Work work,
      Duration window,
      Duration cap)
      throws IOException, InterruptedException {
    return settle(
        scenario,
        16,
        name,
        window,
        windows(window, cap),
        measured(server, () -> LevelMeasurement.warm(server, Protocol.GRPC, work, 16, window)));
  }

  /** Calls made to a server for one window. */
  @FunctionalInterface
  interface Traffic {
    void send() throws IOException, InterruptedException;
  }

  /** {@code traffic} as a load: each window is what it cost {@code server}. */
  static Load measured(ServerUnderTest server, Traffic traffic) {
    return () -> {
      long cpu = server.cpuNanos();
      long jit = server.jitCpuNanos();
      traffic.send();
      return new Window(server.cpuNanos() - cpu, server.jitCpuNanos() - jit);
    };
  }
}
