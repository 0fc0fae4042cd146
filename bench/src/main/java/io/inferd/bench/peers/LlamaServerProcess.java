package io.inferd.bench.peers;

import io.inferd.app.process.ServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** llama.cpp's llama-server on 127.0.0.1, started and waited for (GET /health), then stopped. */
record LlamaServerProcess(ServerProcess process, int port) implements AutoCloseable {

  /**
   * Starts {@code bin/llama-server} with {@code slots} parallel sequences of {@code slotContext}
   * tokens each; {@code chatTemplate}, when not null, replaces the model's template.
   */
  static LlamaServerProcess start(
      Path llamaDir,
      Path model,
      int threads,
      int slots,
      int slotContext,
      String flashAttn,
      Path chatTemplate,
      Path log)
      throws IOException, InterruptedException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(llamaDir.resolve("bin/llama-server").toString());
    command.addAll(
        List.of(
            "-m",
            model.toString(),
            "-t",
            Integer.toString(threads),
            "-tb",
            Integer.toString(threads),
            "-np",
            Integer.toString(slots),
            "-c",
            Integer.toString(slots * slotContext),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "-fa",
            flashAttn,
            "--no-webui"));
    if (chatTemplate != null) {
      command.addAll(List.of("--jinja", "--chat-template-file", chatTemplate.toString()));
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    // Its shared libraries sit next to bin/ in lib/ (RUNPATH $ORIGIN covers bin/ only).
    builder
        .environment()
        .merge("LD_LIBRARY_PATH", llamaDir.resolve("lib").toString(), (a, b) -> b + ":" + a);
    var server = new LlamaServerProcess(ServerProcess.start(builder), port);
    try {
      server.awaitHealthy(Duration.ofSeconds(120), log);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  long pid() {
    return process.pid();
  }

  List<String> command() {
    return process.command();
  }

  private void awaitHealthy(Duration timeout, Path log) throws IOException, InterruptedException {
    URI health = URI.create("http://127.0.0.1:" + port + "/health");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (HttpClient http = HttpClient.newHttpClient()) {
      while (System.nanoTime() < deadline) {
        if (!process.alive()) {
          throw new IOException("llama-server exited with " + process.exitValue() + "; see " + log);
        }
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new IOException("llama-server was not healthy within " + timeout + "; see " + log);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
