package io.inferd.app.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.app.models.ModelDownloader.DownloadException;
import io.inferd.app.models.ModelDownloader.ProgressListener;
import io.inferd.app.models.ModelDownloader.Result;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pull} tells a host that does not resolve, a refused connection and a broken transfer
 * apart, and two pulls of one file do not write the same {@code .part}.
 */
class PullFailuresTest {
  private static final String REPO = "acme/tiny-GGUF";
  private static final String FILE = "tiny.gguf";

  @TempDir Path dir;
  private FileServer server;
  private byte[] content;
  private final List<String> retries = new CopyOnWriteArrayList<>();
  private final ProgressListener progress =
      new ProgressListener() {
        @Override
        public void retrying(int attempt, int of, String reason) {
          retries.add(reason);
        }
      };

  @BeforeEach
  void start() throws Exception {
    content = new byte[300_000];
    new Random(7).nextBytes(content);
    server = new FileServer().serve(REPO, FILE, content);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static ModelDownloader downloader(URI endpoint, int retries) {
    return ModelDownloader.builder(endpoint)
        .retries(retries, Duration.ofMillis(10))
        .timeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(1))
        .build();
  }

  @Test
  void refusedConnection_failsAtOnce_namingHostAndPort_withoutResuming() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    ModelDownloader d = downloader(URI.create("http://127.0.0.1:" + port), 3);

    assertThatThrownBy(() -> d.download(REPO, "main", FILE, dir, Optional.empty(), progress))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("connection refused by 127.0.0.1:" + port)
        .hasMessageContaining("nothing listens there")
        .hasMessageNotContaining("ConnectException");
    assertThat(retries).isEmpty(); // nothing was lost, nothing to resume
    assertThat(dir.resolve(FILE + ".part")).doesNotExist();
  }

  @Test
  void hostThatDoesNotResolve_isTold_asADnsFailure() {
    // What the JDK's HttpClient throws for a name that does not resolve.
    var jdk = new ConnectException();
    jdk.initCause(new ConnectException());
    jdk.getCause().initCause(new UnresolvedAddressException());

    var unreachable = new Unreachable(URI.create("https://huggingface.co/a/b"), jdk);

    assertThat(unreachable.retryable()).isFalse();
    assertThat(unreachable.describe())
        .startsWith("cannot resolve huggingface.co (DNS lookup failed")
        .contains("offline", "--endpoint");
  }

  @Test
  void refusalAsTheJdkReportsIt_isTold_asARefusal() {
    var jdk = new ConnectException();
    jdk.initCause(new ConnectException());
    jdk.getCause().initCause(new ClosedChannelException());

    var unreachable = new Unreachable(URI.create("https://huggingface.co/a/b"), jdk);

    assertThat(unreachable.retryable()).isFalse();
    assertThat(unreachable.describe()).startsWith("connection refused by huggingface.co:443");
  }

  @Test
  void brokenTransfer_isTold_asALostConnection_andResumed() throws Exception {
    server.breaksLeft.set(1);
    server.breakAfterBytes = 100_000;

    Result result =
        downloader(server.endpoint(), 2)
            .download(REPO, "main", FILE, dir, Optional.empty(), progress);

    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(retries)
        .singleElement()
        .asString()
        .startsWith("connection lost (")
        .endsWith("; resuming");
  }

  @Test
  void secondPullOfTheSameFile_whileTheFirstRuns_failsAtOnce_sayingAnotherPullHoldsIt()
      throws Exception {
    server.stallsLeft.set(1); // the first transfer sends 50,000 bytes, then nothing for a while
    server.stallAfterBytes = 50_000;
    ModelDownloader d = downloader(server.endpoint(), 2);
    CompletableFuture<Result> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return d.download(REPO, "main", FILE, dir, Optional.empty(), progress);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Path part = dir.resolve(FILE + ".part");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(Files.isRegularFile(part) && Files.size(part) > 0) && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(part).exists();

    assertThatThrownBy(() -> d.download(REPO, "main", FILE, dir, Optional.empty(), progress))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("another inferd pull is downloading " + FILE)
        .hasMessageContaining("." + FILE + ".lock");

    Result result = first.get(20, TimeUnit.SECONDS); // resumed after the stall, then verified
    assertThat(Files.readAllBytes(result.file())).isEqualTo(content);
    assertThat(dir.resolve("." + FILE + ".lock")).doesNotExist(); // released and removed
    Result again = d.download(REPO, "main", FILE, dir, Optional.empty(), progress);
    assertThat(again.alreadyPresent()).isTrue();
  }
}
