package io.inferd.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** `inferd serve` as a process of its own, for tests of what only a whole process shows. */
final class ServeProcesses {
  private ServeProcesses() {}

  /** {@code java … Main}, on this test JVM's class path and llama.cpp build. */
  static List<String> javaMain() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Dinferd.llama.dir=" + System.getProperty("inferd.llama.dir"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    return command;
  }

  /**
   * The first stdout line matching {@code ready}; fails if the process exits or 60 s pass first.
   */
  static Matcher awaitLine(Process process, Pattern ready) throws Exception {
    var reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var found = new CompletableFuture<Matcher>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (String line; (line = reader.readLine()) != null; ) {
                  Matcher m = ready.matcher(line);
                  if (m.find()) {
                    found.complete(m);
                  }
                }
                found.completeExceptionally(
                    new AssertionError("server exited before it was ready"));
              } catch (Exception e) {
                found.completeExceptionally(e);
              }
            });
    return found.get(60, TimeUnit.SECONDS);
  }
}
