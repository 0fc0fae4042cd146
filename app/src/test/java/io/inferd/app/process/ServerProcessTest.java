package io.inferd.app.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {
  private static final Pattern READY = Pattern.compile("ready port=(\\d+)");

  @TempDir Path dir;

  @Test
  void start_readyLineAfterOthers_returnsItsGroups() throws Exception {
    List<String> command = List.of("sh", "-c", "echo starting; echo 'ready port=42'; sleep 60");
    try (ServerProcess server = ServerProcess.start(command, dir.resolve("log"), READY)) {
      assertThat(server.ready().group(1)).isEqualTo("42");
      assertThat(server.alive()).isTrue();
      assertThat(server.command()).isEqualTo(command);
      assertThat(server.stop(Duration.ofSeconds(5))).isNotZero();
      assertThat(server.alive()).isFalse();
    }
  }

  @Test
  void start_exitsBeforeReady_throwsNamingTheLog() {
    Path log = dir.resolve("server.log");
    assertThatThrownBy(() -> ServerProcess.start(List.of("sh", "-c", "echo 'not yet'"), log, READY))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(log.toString());
  }

  @Test
  void java_runsThisClassPath() {
    List<String> command = ServerProcess.java(List.of("-Xmx1g"), "a.Main", List.of("serve"));
    assertThat(command.getFirst()).endsWith("java");
    assertThat(command).containsSubsequence("-Xmx1g", "-cp", "a.Main", "serve");
  }
}
