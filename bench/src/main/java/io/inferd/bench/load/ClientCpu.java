package io.inferd.bench.load;

/** CPU time of this JVM (the load generator), from /proc like the server's. */
final class ClientCpu {
  private ClientCpu() {}

  static long nanos() {
    return ProcStats.cpuNanos(ProcessHandle.current().pid());
  }
}
