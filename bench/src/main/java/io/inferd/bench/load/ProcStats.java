package io.inferd.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about a process and the machine's TCP sockets: CPU time (all threads, JIT
 * and GC included), resident memory and its peak, threads, open files, established connections.
 * Read from outside the measured process, so the server does not need to cooperate.
 */
public final class ProcStats {
  /** USER_HZ; 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** User + system CPU time of {@code pid} in nanoseconds (10 ms resolution). */
  public static long cpuNanos(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    return cpuNanosFromStat(stat);
  }

  /**
   * Parses /proc/PID/stat: the fields after the parenthesised command name; utime and stime are 14
   * and 15.
   */
  static long cpuNanosFromStat(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // fields[0] is field 3 (state), so field n is fields[n - 3]
    long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
  }

  /**
   * CPU time of {@code pid}'s JIT compiler threads (HotSpot's "C1/C2 CompilerThreadN"): code being
   * compiled, which a warm server in a steady state no longer spends.
   */
  public static long jitCpuNanos(long pid) {
    long nanos = 0;
    try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads.toList()) {
        try {
          String stat = Files.readString(thread.resolve("stat"));
          if (isJitThread(stat)) {
            nanos += cpuNanosFromStat(stat);
          }
        } catch (IOException e) {
          // the thread ended while we looked: its time is no longer the process's to split
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return nanos;
  }

  /** Whether a thread's stat line names a JIT compiler thread (comm is cut to 15 characters). */
  static boolean isJitThread(String stat) {
    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
  }

  /** CPU time of {@code pid}'s children that have exited and been waited for (cutime + cstime). */
  public static long childrenCpuNanos(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long ticks = Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]);
    return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
  }

  /**
   * A line of /proc/PID/status such as {@code VmRSS} or {@code VmHWM}, in kB (or the count for
   * Threads).
   */
  public static long status(long pid, String key) {
    return statusField(read(Path.of("/proc", Long.toString(pid), "status")), key);
  }

  static long statusField(String status, String key) {
    for (String line : status.split("\n")) {
      if (line.startsWith(key + ":")) {
        String value = line.substring(key.length() + 1).trim();
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
      }
    }
    return -1;
  }

  public static long rssKb(long pid) {
    return status(pid, "VmRSS");
  }

  /** Peak resident set size since the process started. */
  public static long hwmKb(long pid) {
    return status(pid, "VmHWM");
  }

  public static long threads(long pid) {
    return status(pid, "Threads");
  }

  /** Open file descriptors of {@code pid} (sockets included); -1 if not readable. */
  public static long openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /** ESTABLISHED TCP connections whose local port is {@code port} (IPv4 and IPv6 tables). */
  public static int establishedOnLocalPort(int port) {
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (Files.isReadable(path)) {
        count += countEstablished(read(path), port);
      }
    }
    return count;
  }

  /**
   * Counts rows of a /proc/net/tcp table with local port {@code port} and state 01 (ESTABLISHED).
   */
  static int countEstablished(String table, int port) {
    String wanted = String.format(":%04X", port);
    int count = 0;
    for (String line : table.split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length < 4 || !columns[0].endsWith(":")) {
        continue; // the header
      }
      if (columns[1].endsWith(wanted) && columns[3].equals("01")) {
        count++;
      }
    }
    return count;
  }

  /**
   * The whole machine's CPU time so far, and the part of it the hypervisor gave to other guests
   * ("steal"): on a shared VM that part can move from none to half within seconds.
   */
  public static MachineTime machineTime() {
    return machineTimeFromStat(read(Path.of("/proc/stat")));
  }

  /**
   * Parses the first ("cpu") line of /proc/stat: user nice system idle iowait irq softirq steal,
   * then guest time, which user and nice already count.
   */
  static MachineTime machineTimeFromStat(String stat) {
    String[] ticks = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
    long total = 0;
    for (int field = 1; field <= 8; field++) {
      total += Long.parseLong(ticks[field]);
    }
    return new MachineTime(Long.parseLong(ticks[8]), total);
  }

  /** Ticks of all cores together, since boot. */
  public record MachineTime(long stealTicks, long totalTicks) {
    /** The share of the machine's time since {@code earlier} that went to other guests. */
    public double stealShareSince(MachineTime earlier) {
      long total = totalTicks - earlier.totalTicks;
      return total > 0 ? (double) (stealTicks - earlier.stealTicks) / total : 0;
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
