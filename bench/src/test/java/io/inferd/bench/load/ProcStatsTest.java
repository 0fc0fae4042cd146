package io.inferd.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
  @Test
  void cpuNanosFromStat_readsUtimePlusStime_evenWithSpacesInTheCommandName() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // …
    String stat =
        "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 3 4 20 0 30 0 1000";

    assertThat(ProcStats.cpuNanosFromStat(stat)).isEqualTo(300 * 10_000_000L);
  }

  @Test
  void statusField_readsKilobytesAndCounts() {
    String status = "Name:\tjava\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\nThreads:\t42\n";

    assertThat(ProcStats.statusField(status, "VmHWM")).isEqualTo(524_288);
    assertThat(ProcStats.statusField(status, "Threads")).isEqualTo(42);
    assertThat(ProcStats.statusField(status, "VmSwap")).isEqualTo(-1);
  }

  @Test
  void countEstablished_countsOnlyEstablishedRowsOnTheLocalPort() {
    String table =
        """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:C351 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 0100007F:C351 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1
           2: 0100007F:C351 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 3 1
           3: 0100007F:9C40 0100007F:C351 01 00000000:00000000 00:00000000 00000000     0        0 4 1
           4: 0100007F:C351 0100007F:9C42 06 00000000:00000000 00:00000000 00000000     0        0 5 1
        """;

    assertThat(ProcStats.countEstablished(table, 0xC351)).isEqualTo(2);
  }

  @Test
  void machineTime_addsTheFirstEightColumns_andStealIsTheEighth_guestTimeAlreadyCounted() {
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    String stat = "cpu  400 10 60 1000 5 0 25 100 30 0\ncpu0 200 5 30 500 2 0 12 50 15 0\n";

    var earlier = ProcStats.machineTimeFromStat(stat);
    var later = ProcStats.machineTimeFromStat("cpu  500 10 80 1101 5 0 25 139 40 0\ncpu0 1 2 3\n");

    assertThat(earlier).isEqualTo(new ProcStats.MachineTime(100, 1600));
    assertThat(later.stealShareSince(earlier)).isCloseTo(0.15, within(1e-12)); // 39 of 260 ticks
    assertThat(earlier.stealShareSince(earlier)).isZero();
  }

  @Test
  void thisMachine_reportsItsTimeAndAStealShareBetweenZeroAndOne() throws InterruptedException {
    var before = ProcStats.machineTime();
    Thread.sleep(50);
    var after = ProcStats.machineTime();

    assertThat(after.totalTicks()).isGreaterThan(before.totalTicks());
    assertThat(after.stealShareSince(before)).isBetween(0.0, 1.0);
  }

  @Test
  void isJitThread_knowsHotSpotsCompilerThreadsOnly() {
    assertThat(ProcStats.isJitThread("77 (C2 CompilerThre) S 1 2 3")).isTrue();
    assertThat(ProcStats.isJitThread("78 (C1 CompilerThre) S 1 2 3")).isTrue();
    assertThat(ProcStats.isJitThread("79 (grpc-default-wo) S 1 2 3")).isFalse();
    assertThat(ProcStats.isJitThread("80 (GC Thread#0) S 1 2 3")).isFalse();
  }

  @Test
  void thisProcess_spentSomeOfItsCpuTimeCompiling() {
    long pid = ProcessHandle.current().pid();
    long jit = ProcStats.jitCpuNanos(pid);

    assertThat(jit).isPositive().isLessThanOrEqualTo(ProcStats.cpuNanos(pid));
  }

  @Test
  void thisProcess_hasCpuTimeAndMemory() {
    long pid = ProcessHandle.current().pid();

    assertThat(ProcStats.cpuNanos(pid)).isPositive();
    long rss = ProcStats.rssKb(pid); // first: the peak read after it covers it, though RSS grows
    assertThat(ProcStats.hwmKb(pid)).isGreaterThanOrEqualTo(rss).isPositive();
  }
}
