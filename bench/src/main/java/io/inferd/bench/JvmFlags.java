package io.inferd.bench;

import java.util.ArrayList;
import java.util.List;

/** JVM options of the JVMs the benchmark starts (servers, JMH forks); the report prints them. */
public final class JvmFlags {
  private JvmFlags() {}

  /** Silences JDK 22+/24+ warnings for JNI (llama.cpp) and protobuf's/Netty's sun.misc.Unsafe. */
  public static List<String> common() {
    List<String> flags = new ArrayList<>();
    flags.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 24) {
      flags.add("--sun-misc-unsafe-memory-access=allow");
    }
    return flags;
  }

  /** A server JVM: a fixed heap of {@code heap} (-Xms = -Xmx), default GC (G1). */
  public static List<String> server(String heap) {
    List<String> flags = new ArrayList<>();
    flags.add("-Xms" + heap);
    flags.add("-Xmx" + heap);
    flags.addAll(common());
    return flags;
  }

  /** A JMH fork: a fixed 1 GiB heap so GC sizing does not vary between payloads. */
  public static List<String> benchmarkFork() {
    List<String> flags = new ArrayList<>();
    flags.add("-Xms1g");
    flags.add("-Xmx1g");
    flags.addAll(common());
    return flags;
  }
}
