package io.inferd.app.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.testing.TinyGguf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferd pull} end to end against a local Hub-like server: exit codes and messages. */
class PullCommandTest {
  private static final String REPO = "acme/tiny-GGUF";

  @TempDir Path dir;
  private FileServer server;
  private byte[] model;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    model = Files.readAllBytes(TinyGguf.writeDefault(Files.createTempDirectory(dir, "src")));
    server = new FileServer().serve(REPO, TinyGguf.DEFAULT_FILE_NAME, model);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int pull(Map<String, String> env, String... args) {
    PullCommand command = new PullCommand();
    command.env = env;
    command.retryDelay = Duration.ofMillis(10);
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 4];
    all[0] = "--endpoint";
    all[1] = server.endpoint().toString();
    all[2] = "--models-dir";
    all[3] = dir.resolve("cache").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return cli.execute(all);
  }

  @Test
  void pull_downloadsVerifies_andPrintsThePath() throws Exception {
    int code = pull(Map.of("HF_TOKEN", "hf_abc"), REPO, TinyGguf.DEFAULT_FILE_NAME);

    Path file = dir.resolve("cache").resolve(TinyGguf.DEFAULT_FILE_NAME);
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().strip()).isEqualTo(file.toString());
    assertThat(Files.readAllBytes(file)).isEqualTo(model);
    assertThat(err.toString())
        .contains("sha256 verified: " + FileServer.sha256(model))
        .contains("100% [")
        .contains("model: llama, context 512")
        .contains("./inferd serve --model tiny-llama=" + file);
    assertThat(server.requests.get(0)).endsWith("auth=Bearer hf_abc");
  }

  @Test
  void pull_interruptedThenResumed_exits0() throws Exception {
    server.breaksLeft.set(1);
    server.breakAfterBytes = model.length / 3;

    int code = pull(Map.of(), REPO, TinyGguf.DEFAULT_FILE_NAME, "--retries", "1");

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("connection lost").contains("resuming");
    assertThat(Files.readAllBytes(dir.resolve("cache").resolve(TinyGguf.DEFAULT_FILE_NAME)))
        .isEqualTo(model);
  }

  @Test
  void pull_stalledTransfer_isResumedAfterTheReadTimeout() throws Exception {
    server.stallsLeft.set(1);
    server.stallAfterBytes = model.length / 3;

    int code =
        pull(Map.of(), REPO, TinyGguf.DEFAULT_FILE_NAME, "--retries", "1", "--read-timeout", "0.5");

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("stalled").contains("resuming");
    assertThat(Files.readAllBytes(dir.resolve("cache").resolve(TinyGguf.DEFAULT_FILE_NAME)))
        .isEqualTo(model);
  }

  @Test
  void pull_badReadTimeout_exits2() {
    assertThat(pull(Map.of(), REPO, TinyGguf.DEFAULT_FILE_NAME, "--read-timeout", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--read-timeout: 0.0 (expected: > 0 seconds)");
  }

  @Test
  void checksumMismatch_exits3_leavingNothing() throws Exception {
    int code = pull(Map.of(), REPO, TinyGguf.DEFAULT_FILE_NAME, "--sha256", "ab".repeat(32));

    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("error: checksum mismatch").contains("ab".repeat(32));
    try (var files = Files.list(dir.resolve("cache"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void unknownFile_exits1_namingTheUrl() {
    int code = pull(Map.of(), REPO, "missing.gguf");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains(
            "error: not found (HTTP 404): "
                + server.endpoint()
                + "/"
                + REPO
                + "/resolve/main/missing.gguf");
  }

  @Test
  void badRepository_exits2() {
    assertThat(pull(Map.of(), "not a repo", "x.gguf")).isEqualTo(2);
    assertThat(err.toString()).contains("error: repository");
  }

  @Test
  void modelsDir_defaultsTo_INFERD_MODELS_DIR() {
    Path custom = dir.resolve("from-env");
    PullCommand command = new PullCommand();
    command.env = Map.of("INFERD_MODELS_DIR", custom.toString());
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code =
        cli.execute("--endpoint", server.endpoint().toString(), REPO, TinyGguf.DEFAULT_FILE_NAME);

    assertThat(code).as(err.toString()).isZero();
    assertThat(custom.resolve(TinyGguf.DEFAULT_FILE_NAME)).exists();
  }
}
