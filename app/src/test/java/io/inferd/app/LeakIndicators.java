package io.inferd.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a leak would grow: live threads, open file descriptors, heap after a full GC. */
record LeakIndicators(int threads, long openFiles, long heapAfterGcBytes) {

  static LeakIndicators measure() throws InterruptedException {
    long heap = Long.MAX_VALUE;
    // The smallest of a few collections: a single System.gc() may leave garbage behind.
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return new LeakIndicators(
        ManagementFactory.getThreadMXBean().getThreadCount(), countOpenFiles(), heap);
  }

  private static long countOpenFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1; // not Linux: nothing to compare
    }
  }

  @Override
  public String toString() {
    return "threads=%d fds=%d heap_after_gc=%.1fMB"
        .formatted(threads, openFiles, heapAfterGcBytes / 1e6);
  }
}
