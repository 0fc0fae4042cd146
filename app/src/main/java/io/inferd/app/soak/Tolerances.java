package io.inferd.app.soak;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How far the leak indicators may grow during a soak. */
final class Tolerances {
  @Option(
      names = "--heap-tolerance-mb",
      paramLabel = "MB",
      defaultValue = "32",
      description = "Allowed growth of heap after GC (default ${DEFAULT-VALUE}).")
  long heapMb;

  @Option(
      names = "--thread-tolerance",
      paramLabel = "N",
      defaultValue = "16",
      description = "Allowed growth of live threads (default ${DEFAULT-VALUE}).")
  long threads;

  @Option(
      names = "--file-tolerance",
      paramLabel = "N",
      defaultValue = "16",
      description = "Allowed growth of open file descriptors (default ${DEFAULT-VALUE}).")
  long files;

  /** A line for each indicator that grew beyond its tolerance from {@code start} to {@code end}. */
  List<String> exceeded(Indicators start, Indicators end) {
    List<String> failures = new ArrayList<>();
    if (end.heapAfterGcBytes() - start.heapAfterGcBytes() > heapMb << 20) {
      failures.add("heap after GC grew by more than " + heapMb + " MB");
    }
    if (end.threads() - start.threads() > threads) {
      failures.add("threads grew by more than " + threads);
    }
    if (end.openFiles() - start.openFiles() > files) {
      failures.add("open files grew by more than " + files);
    }
    return failures;
  }
}
