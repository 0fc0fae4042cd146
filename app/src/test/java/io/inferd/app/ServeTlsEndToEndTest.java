package io.inferd.app;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `inferd serve --tls-cert --tls-key --tls-client-ca`: every port that carries requests needs it.
 */
class ServeTlsEndToEndTest {
  private static final Pattern READY =
      Pattern.compile(
          "inferd ready: (grpc\\S*)=127\\.0\\.0\\.1:(\\d+) (http\\S*)=127\\.0\\.0\\.1:(\\d+)"
              + " (metrics\\S*)=127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;
  private Process process;
  private TestCertificates certs;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Matcher serve(String... extra) throws Exception {
    certs = TestCertificates.create(dir);
    List<String> command = ServeProcesses.javaMain();
    command.addAll(
        List.of(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--http-port",
            "0",
            "--metrics-port",
            "0",
            "--no-embeddings",
            "--parallel",
            "1",
            "--tls-cert",
            certs.serverCert.toString(),
            "--tls-key",
            certs.serverKey.toString(),
            "--tls-client-ca",
            certs.caCert.toString(),
            "--model",
            "tiny=" + TestModels.tinyFile()));
    command.addAll(List.of(extra));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    return ServeProcesses.awaitLine(process, READY);
  }

  private SSLContext clientTls(boolean withCertificate) {
    var tls =
        Tls.builder()
            .trust(Keys.builder().pem(p -> p.certificates(Resource.create(certs.caCert))).build());
    if (withCertificate) {
      Keys mine =
          Keys.builder()
              .pem(
                  p ->
                      p.key(Resource.create(certs.clientKey))
                          .certChain(Resource.create(certs.clientCert)))
              .build();
      tls.privateKey(mine).privateKeyCertChain(mine);
    }
    return tls.build().sslContext();
  }

  private static int get(SSLContext tls, String url) throws Exception {
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5));
    if (tls != null) {
      client.sslContext(tls);
    }
    try (HttpClient http = client.build()) {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              BodyHandlers.discarding())
          .statusCode();
    }
  }

  /** A plaintext request to a TLS port gets no HTTP answer. */
  private static String plaintext(int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(US_ASCII));
      return new String(socket.getInputStream().readNBytes(12), US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void restAndMetrics_requireTlsAndAClientCertificate_andTheReadyLineSaysSo() throws Exception {
    Matcher ready = serve();
    assertThat(ready.group(1)).isEqualTo("grpc+mtls");
    assertThat(ready.group(3)).isEqualTo("http+mtls");
    assertThat(ready.group(5)).isEqualTo("metrics+mtls");
    int http = Integer.parseInt(ready.group(4));
    int metrics = Integer.parseInt(ready.group(6));

    assertThat(get(clientTls(true), "https://localhost:" + http + "/v1/models")).isEqualTo(200);
    assertThat(get(clientTls(true), "https://localhost:" + metrics + "/metrics")).isEqualTo(200);

    assertThat(plaintext(http, "/v1/models")).doesNotStartWith("HTTP/1.1 200");
    assertThat(plaintext(metrics, "/metrics")).doesNotStartWith("HTTP/1.1 200");
    assertThatThrownBy(() -> get(clientTls(false), "https://localhost:" + http + "/v1/models"))
        .as("no client certificate")
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(clientTls(false), "https://localhost:" + metrics + "/metrics"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void metricsPlaintext_servesMetricsOnLoopbackOnly_andSaysSo() throws Exception {
    Matcher ready = serve("--metrics-plaintext");
    assertThat(ready.group(3)).isEqualTo("http+mtls");
    assertThat(ready.group(5)).isEqualTo("metrics");
    assertThat(get(null, "http://127.0.0.1:" + ready.group(6) + "/metrics")).isEqualTo(200);
  }
}
