package io.inferd.app.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.app.models.ModelDownloader.ChecksumMismatchException;
import io.inferd.app.models.ModelDownloader.DownloadException;
import io.inferd.app.models.ModelDownloader.ProgressListener;
import io.inferd.app.models.ModelDownloader.Result;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDownloaderTest {
  private static final String REPO = "acme/tiny-GGUF";
  private static final String FILE = "tiny-q8_0.gguf";

  @TempDir Path dir;
  private FileServer server;
  private byte[] content;

  @BeforeEach
  void start() throws Exception {
    content = new byte[300_000];
    new Random(42).nextBytes(content);
    server = new FileServer().serve(REPO, FILE, content);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ModelDownloader downloader(int retries) {
    return ModelDownloader.builder(server.endpoint())
        .retries(retries, Duration.ofMillis(10))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private Result pull(ModelDownloader d, Optional<String> sha, ProgressListener progress)
      throws Exception {
    return d.download(REPO, "main", FILE, dir, sha, progress);
  }

  @Test
  void download_wholeFile_verifiedAgainstThePublishedSha256() throws Exception {
    List<Long> progress = new CopyOnWriteArrayList<>();
    Result result =
        pull(
            downloader(0),
            Optional.empty(),
            new ProgressListener() {
              @Override
              public void advanced(long done, long total) {
                assertThat(total).isEqualTo(content.length);
                progress.add(done);
              }
            });

    assertThat(result.file()).isEqualTo(dir.resolve(FILE));
    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(result.verified()).isTrue();
    assertThat(result.sha256()).isEqualTo(FileServer.sha256(content));
    assertThat(result.alreadyPresent()).isFalse();
    assertThat(dir.resolve(FILE + ".part")).doesNotExist();
    assertThat(progress).isSorted().last().isEqualTo((long) content.length);
    assertThat(server.requests)
        .containsExactly(
            "GET /" + REPO + "/resolve/main/" + FILE + " range=null auth=null",
            "GET /cdn/" + FILE + " range=null auth=null");
  }

  @Test
  void download_withExpectedSha256_verifiesAgainstIt() throws Exception {
    Result result =
        pull(
            downloader(0),
            Optional.of(FileServer.sha256(content).toUpperCase()),
            ProgressListener.NONE);
    assertThat(result.verified()).isTrue();
    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
  }

  @Test
  void stalledTransfer_isResumedAfterTheReadTimeout() throws Exception {
    server.stallsLeft.set(1);
    server.stallAfterBytes = 100_000;
    ModelDownloader d =
        ModelDownloader.builder(server.endpoint())
            .retries(2, Duration.ofMillis(10))
            .timeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(1))
            .build();
    List<String> retries = new CopyOnWriteArrayList<>();

    Result result =
        pull(
            d,
            Optional.empty(),
            new ProgressListener() {
              @Override
              public void retrying(int attempt, int of, String reason) {
                retries.add(reason);
              }
            });

    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(retries).singleElement().asString().contains("stalled");
    assertThat(server.requests).last().asString().contains("range=bytes=");
  }

  @Test
  void noLengthAndNoChecksum_isRefusedUnlessTheSha256IsGiven() throws Exception {
    server.noLengthNoChecksum = true;
    assertThatThrownBy(() -> pull(downloader(0), Optional.empty(), ProgressListener.NONE))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("neither the file's length nor its SHA-256")
        .hasMessageContaining("--sha256");

    Result result =
        pull(downloader(0), Optional.of(FileServer.sha256(content)), ProgressListener.NONE);
    assertThat(result.verified()).isTrue();
  }

  @Test
  void fileNameWithControlCharacters_isRejected() {
    assertThatThrownBy(
            () ->
                downloader(0)
                    .download(
                        REPO,
                        "main",
                        "evil\u001b[2Jname.gguf",
                        dir,
                        Optional.empty(),
                        ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control characters");
  }

  @Test
  void interruptedTransfer_resumesWithRange_andVerifies() throws Exception {
    server.breaksLeft.set(1);
    server.breakAfterBytes = 100_000;
    StringWriter log = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(log, true), FILE, false, System::nanoTime);

    Result result = pull(downloader(2), Optional.empty(), bar);

    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(result.verified()).isTrue();
    assertThat(server.requests).last().asString().startsWith("GET /cdn/" + FILE + " range=bytes=");
    assertThat(log.toString()).contains("connection lost").contains("resuming " + FILE + " at ");
  }

  @Test
  void interruptedDownload_keepsThePartFile_andTheNextPullResumesIt() throws Exception {
    server.breaksLeft.set(1);
    server.breakAfterBytes = 123_456;

    assertThatThrownBy(() -> pull(downloader(0), Optional.empty(), ProgressListener.NONE))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("/" + REPO + "/resolve/main/" + FILE)
        .hasMessageContaining("run the same pull again to resume");
    assertThat(dir.resolve(FILE)).doesNotExist();
    long kept = Files.size(dir.resolve(FILE + ".part")); // what arrived before the break
    assertThat(kept).isBetween(1L, 123_456L);

    Result result = pull(downloader(0), Optional.empty(), ProgressListener.NONE);
    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(result.verified()).isTrue();
    assertThat(dir.resolve(FILE + ".part")).doesNotExist();
    assertThat(server.requests)
        .last()
        .isEqualTo("GET /cdn/" + FILE + " range=bytes=" + kept + "- auth=null");
  }

  @Test
  void serverThatIgnoresRange_startsOver() throws Exception {
    Files.write(dir.resolve(FILE + ".part"), new byte[] {1, 2, 3, 4, 5});
    server.ignoreRange = true;

    Result result = pull(downloader(0), Optional.empty(), ProgressListener.NONE);

    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
  }

  @Test
  void completePartFile_isFinishedWithoutDownloadingAgain() throws Exception {
    Files.write(dir.resolve(FILE + ".part"), content);

    Result result = pull(downloader(0), Optional.empty(), ProgressListener.NONE);

    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(result.verified()).isTrue();
  }

  @Test
  void checksumMismatch_isReportedClearly_andLeavesNoFile() {
    String wrong = "0".repeat(64);

    assertThatThrownBy(() -> pull(downloader(0), Optional.of(wrong), ProgressListener.NONE))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("expected sha256 " + wrong)
        .hasMessageContaining("got " + FileServer.sha256(content))
        .hasMessageContaining("deleted");
    assertThat(dir.resolve(FILE)).doesNotExist();
    assertThat(dir.resolve(FILE + ".part")).doesNotExist();
  }

  @Test
  void corruptTransfer_failsAgainstThePublishedSha256() {
    server.linkedEtags.put(REPO + "/" + FILE, FileServer.sha256(new byte[] {42}));

    assertThatThrownBy(() -> pull(downloader(0), Optional.empty(), ProgressListener.NONE))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("(published by the server)");
    assertThat(dir.resolve(FILE)).doesNotExist();
    assertThat(dir.resolve(FILE + ".part")).doesNotExist();
  }

  @Test
  void missingFile_isNotFound_namingTheUrl() {
    assertThatThrownBy(
            () ->
                downloader(3)
                    .download(
                        REPO, "main", "nope.gguf", dir, Optional.empty(), ProgressListener.NONE))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining(server.endpoint() + "/" + REPO + "/resolve/main/nope.gguf");
    assertThat(server.requests).hasSize(1); // a 404 is final: no retries
    assertThat(dir.resolve("nope.gguf.part")).doesNotExist();
  }

  @Test
  void token_goesToTheEndpointOnly() throws Exception {
    ModelDownloader d =
        ModelDownloader.builder(server.endpoint()).token(Optional.of("hf_secret")).build();

    pull(d, Optional.empty(), ProgressListener.NONE);

    assertThat(server.requests.get(0)).endsWith("auth=Bearer hf_secret");
    // Same origin in this test, so the redirect target gets it too; a CDN on another host would
    // not.
    assertThat(server.requests.get(1)).endsWith("auth=Bearer hf_secret");
  }

  @Test
  void fileAlreadyThere_isNotDownloadedAgain() throws Exception {
    Files.write(dir.resolve(FILE), content);

    Result result =
        pull(downloader(0), Optional.of(FileServer.sha256(content)), ProgressListener.NONE);

    assertThat(result.alreadyPresent()).isTrue();
    assertThat(server.requests).isEmpty();
  }

  @Test
  void badArguments_areRejectedBeforeAnyRequest() {
    ModelDownloader d = downloader(0);
    assertThatThrownBy(() -> d.url("../etc", "main", FILE)).hasMessageContaining("repository");
    assertThatThrownBy(() -> d.url(REPO, "main", "../../x.gguf")).hasMessageContaining("file");
    assertThatThrownBy(() -> pull(d, Optional.of("abc"), ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sha256");
    assertThat(d.url(REPO, "v1.0", "sub dir/a.gguf").toString())
        .isEqualTo(server.endpoint() + "/" + REPO + "/resolve/v1.0/sub%20dir/a.gguf");
  }
}
