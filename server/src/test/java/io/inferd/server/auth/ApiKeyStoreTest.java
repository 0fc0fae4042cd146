package io.inferd.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {
  @TempDir Path dir;

  @Test
  void namedHashedAndBareKeys_authenticateToTheirIds() throws Exception {
    String hash = HexFormat.of().formatHex(ApiKeyStore.sha256("s3cret-hashed"));
    Path file =
        Files.writeString(
            dir.resolve("keys"),
            "# team keys\nalice=sk-alice\nbob=sha256:" + hash + "  # rotated 2026-11\n\nsk-bare\n",
            UTF_8);
    ApiKeyStore keys = ApiKeyStore.of(file, null);

    assertThat(keys.enabled()).isTrue();
    assertThat(keys.size()).isEqualTo(3);
    assertThat(keys.authenticate("sk-alice")).contains("alice");
    assertThat(keys.authenticate("s3cret-hashed")).contains("bob");
    assertThat(keys.authenticate("sk-bare"))
        .contains(HexFormat.of().formatHex(ApiKeyStore.sha256("sk-bare")).substring(0, 8));
    assertThat(keys.authenticate("sk-alicf")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
  }

  @Test
  void environmentEntries_workWithoutAFile() {
    ApiKeyStore keys = ApiKeyStore.of(null, "ci=sk-ci, sk-other");
    assertThat(keys.authenticate("sk-ci")).contains("ci");
    assertThat(keys.authenticate("sk-other")).isPresent();
    assertThat(keys.authenticate("ci")).isEmpty();
  }

  @Test
  void noKeys_meansAuthenticationIsOff() {
    assertThat(ApiKeyStore.disabled().enabled()).isFalse();
    assertThat(ApiKeyStore.of(null, null).enabled()).isFalse();
  }

  @Test
  void changedFile_isReloadedWithoutRestart() throws Exception {
    Path file = Files.writeString(dir.resolve("keys"), "old=sk-old\n", UTF_8);
    ApiKeyStore keys = ApiKeyStore.of(file, null);
    assertThat(keys.authenticate("sk-old")).contains("old");

    Files.writeString(file, "new=sk-new\n", UTF_8);
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    keys.reload();

    assertThat(keys.authenticate("sk-new")).contains("new");
    assertThat(keys.authenticate("sk-old")).isEmpty();
  }

  @Test
  void malformedHash_isRejectedNamingTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("keys"), "a=sk-a\nb=sha256:xyz\n", UTF_8);
    assertThatThrownBy(() -> ApiKeyStore.of(file, null)).hasMessageContaining("keys:2");
  }

  @Test
  void credentials_acceptXApiKeyOrBearer() {
    assertThat(Credentials.presentedKey("sk-1", null)).isEqualTo("sk-1");
    assertThat(Credentials.presentedKey(null, "Bearer sk-2")).isEqualTo("sk-2");
    assertThat(Credentials.presentedKey(null, "bearer sk-3")).isEqualTo("sk-3");
    assertThat(Credentials.presentedKey(null, "Basic abc")).isNull();
    assertThat(Credentials.failureMessage(null)).contains("x-api-key");
    assertThat(Credentials.failureMessage("sk-wrong")).doesNotContain("sk-wrong");
  }
}
