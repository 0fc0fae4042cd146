package io.inferd.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.FlashAttention;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferd serve} refuses to start, with one clear line and a distinct exit code. */
class ServeCommandTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private int serve(String... args) {
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    return commandLine.execute(all);
  }

  @Test
  void missingModelFile_exits2_namingThePath() {
    int code = serve("--model", "m=" + dir.resolve("nope.gguf"), "--no-embeddings");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("model file not found").contains("nope.gguf");
  }

  @Test
  void directoryGivenAsTheModel_exits2_sayingItIsADirectory() throws Exception {
    Files.writeString(dir.resolve("a.gguf"), "x", UTF_8);
    int code = serve("--model", "m=" + dir, "--no-embeddings");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(dir + " is a directory (expected: a .gguf file, such as a.gguf in it)")
        .doesNotContain("not found");
  }

  @Test
  void flashAttn_takesAutoOnOrOff_andRefusesAnythingElse() throws Exception {
    var serve = new ServeCommand();
    String model = "m=" + Files.writeString(dir.resolve("m.gguf"), "read only when served", UTF_8);
    new CommandLine(serve).parseArgs("--flash-attn", "OFF", "--model", model, "--no-embeddings");
    assertThat(serve.config().flashAttention()).isEqualTo(FlashAttention.OFF);
    serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--model", model, "--no-embeddings");
    assertThat(serve.config().flashAttention()).isEqualTo(FlashAttention.AUTO);

    assertThat(serve("--flash-attn", "fast", "--no-embeddings")).isEqualTo(2);
    assertThat(err.toString()).contains("'fast' (expected: auto, on or off)");
  }

  @Test
  void fileThatIsNotGguf_exits3_sayingWhy() throws Exception {
    Path bogus = Files.writeString(dir.resolve("bogus.gguf"), "<html>not a model</html>", UTF_8);
    int code = serve("--model", bogus.toString(), "--no-embeddings");
    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("bogus.gguf").containsIgnoringCase("gguf");
  }

  @Test
  void portInUse_exits4_sayingSo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int code =
          serve(
              "--model",
              "tiny=" + TestModels.tinyFile(),
              "--no-embeddings",
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(taken.getLocalPort()),
              "--parallel",
              "1",
              "--threads",
              "1");
      assertThat(code).isEqualTo(4);
      assertThat(err.toString())
          .contains("127.0.0.1:" + taken.getLocalPort())
          .contains("port " + taken.getLocalPort() + " is already in use")
          .contains("--port");
    }
  }

  @Test
  void help_explainsEveryOption() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    assertThat(commandLine.execute("serve", "--help")).isZero();
    assertThat(out.toString())
        .contains("--port", "INFERD_PORT", "--model", "--parallel", "--queue", "--shutdown-grace");
  }
}
