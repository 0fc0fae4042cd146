package io.inferd.bench.load;

import io.inferd.bench.report.Results;
import java.time.Duration;

/**
 * Loads a server until its JIT compiler threads go quiet, before its transport points are measured:
 * windows of load until one in which the compiler threads took under {@link #QUIET_JIT_SHARE} of
 * the server's CPU, or until the cap. A point measured before that counts compiling code as a cost
 * per call, and counts it more for the server with more code: at one caller, ten seconds into the
 * run, a third of either server's CPU was still the JIT's, and it took it 40 to 50 s to settle.
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
    Window run() throws InterruptedException;
  }

  private JitSettling() {}

  /**
   * Runs {@code load} until a window is quiet, at most {@code maxWindows} times (at least once);
   * the result names the scenario and the server and says how long it took and how it ended.
   */
  static Results.Warmup settle(
      String scenario, String server, Duration window, int maxWindows, Load load)
      throws InterruptedException {
    int windows = 0;
    double share;
    do {
      share = load.run().jitShare();
      windows++;
    } while (share >= QUIET_JIT_SHARE && windows < maxWindows);
    return new Results.Warmup(
        scenario, server, window.multipliedBy(windows).toMillis() / 1000.0, share, QUIET_JIT_SHARE);
  }

  /** Settles {@code server} under {@code work} at 16 callers, {@code window} at a time. */
  static Results.Warmup settle(
      String scenario,
      String name,
      ServerUnderTest server,
      Work work,
      Duration window,
      Duration cap)
      throws InterruptedException {
    int maxWindows = (int) Math.max(1, cap.toMillis() / Math.max(1, window.toMillis()));
    return settle(
        scenario,
        name,
        window,
        maxWindows,
        () -> {
          long cpu = server.cpuNanos();
          long jit = server.jitCpuNanos();
          LevelMeasurement.warm(server, Protocol.GRPC, work, 16, window);
          return new Window(server.cpuNanos() - cpu, server.jitCpuNanos() - jit);
        });
  }
}
