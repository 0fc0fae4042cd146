package io.inferd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.server.RestGatewayEndToEndTest.RunningGateway;
import io.inferd.server.auth.ApiKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keys file edited while the server runs: removed keys stop working, whatever the edit. */
class ApiKeyFileEndToEndTest {
  @TempDir Path dir;
  private RunningGateway running;

  @AfterEach
  void stop() {
    if (running != null) {
      running.close();
    }
  }

  private Path start(String content, ApiKeyStore.OnError onError) throws Exception {
    Path file = Files.writeString(dir.resolve("keys.txt"), content, UTF_8);
    running =
        RunningGateway.start(
            ObservedGenerator.open(TestModels.tiny()), 1, 1, ApiKeyStore.of(file, null, onError));
    return file;
  }

  private int status(String key) {
    return running.get("/v1/models", "x-api-key", key).statusCode();
  }

  /** The store re-checks the file at most once a second: wait (bounded) for the change to show. */
  private boolean eventually(String key, IntPredicate expected) throws InterruptedException {
    long until = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < until) {
      if (expected.test(status(key))) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  @Test
  void fileWithOneMalformedLine_acceptsNoKeyFromIt() throws Exception {
    Path file = start("a=sk-aaa\nb=sk-bbb\nc=sk-ccc\n", ApiKeyStore.OnError.REJECT_ALL);
    assertThat(status("sk-aaa")).isEqualTo(200);

    Files.writeString(file, "a=sk-aaa\nb=sha256:not-hex\n", UTF_8);

    assertThat(eventually("sk-ccc", s -> s == 401)).as("removed key c refused").isTrue();
    assertThat(status("sk-aaa")).as("fails closed: the broken file accepts nothing").isEqualTo(401);

    Files.writeString(file, "a=sk-aaa\n", UTF_8);
    assertThat(eventually("sk-aaa", s -> s == 200)).as("fixed file is read again").isTrue();
    assertThat(status("sk-ccc")).isEqualTo(401);
  }

  @Test
  void brokenFile_keepsOldKeysOnlyWhenThatWasChosen() throws Exception {
    Path file = start("a=sk-aaa\n", ApiKeyStore.OnError.KEEP_PREVIOUS);
    Files.writeString(file, "a=sk-aaa\nb=sha256:not-hex\n", UTF_8);
    Thread.sleep(1_200); // past the once-a-second check
    assertThat(status("sk-aaa")).isEqualTo(200);
  }

  @Test
  void deletedFile_acceptsNoKey() throws Exception {
    Path file = start("a=sk-aaa\n", ApiKeyStore.OnError.REJECT_ALL);
    assertThat(status("sk-aaa")).isEqualTo(200);

    Files.delete(file);

    assertThat(eventually("sk-aaa", s -> s == 401)).isTrue();
  }

  @Test
  void sameSizeEditKeepingTheModificationTime_isStillReloaded() throws Exception {
    Path file = start("a=sk-aaa\n", ApiKeyStore.OnError.REJECT_ALL);
    FileTime before = Files.getLastModifiedTime(file);
    assertThat(status("sk-aaa")).isEqualTo(200);

    Files.writeString(file, "a=sk-zzz\n", UTF_8); // same length
    Files.setLastModifiedTime(file, before);

    assertThat(eventually("sk-aaa", s -> s == 401)).as("rotated-out key refused").isTrue();
    assertThat(status("sk-zzz")).isEqualTo(200);
  }
}
