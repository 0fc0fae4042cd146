package io.inferd.app.models;

import io.inferd.app.models.ModelDownloader.ChecksumMismatchException;
import io.inferd.app.models.ModelDownloader.DownloadException;
import io.inferd.app.models.ModelDownloader.ProgressListener;
import io.inferd.app.models.ModelDownloader.Result;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.llama.GgufHeader;
import java.io.Console;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inferd pull REPO FILE}: downloads a GGUF model from Hugging Face (or a mirror). */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Download a model file from a Hugging Face repository into the local models directory:"
          + " {endpoint}/{repo}/resolve/{revision}/{file}.",
      "An interrupted download resumes where it stopped (also on the next run); the file is"
          + " verified against --sha256, else against the SHA-256 the server publishes for it"
          + " (X-Linked-Etag). HF_TOKEN, when set, is sent as a bearer token (gated models).",
      "Then serve it with: inferd serve --model NAME=PATH",
      "Exit codes: 0 done, 1 download failed, 2 bad arguments, 3 checksum mismatch."
    })
public final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "REPO",
      description = "Repository, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF.")
  String repo;

  @Parameters(
      index = "1",
      paramLabel = "FILE",
      description = "File in the repository, e.g. qwen2.5-0.5b-instruct-q4_k_m.gguf.")
  String file;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      defaultValue = "main",
      description = "Branch, tag or commit (default ${DEFAULT-VALUE}).")
  String revision;

  @Option(
      names = "--models-dir",
      paramLabel = "DIR",
      description =
          "Where to put the file (default: $INFERD_MODELS_DIR, else models-cache/ in the inferd checkout).")
  Path modelsDir;

  @Option(
      names = "--sha256",
      paramLabel = "HEX",
      description = "Expected SHA-256 of the file; a mismatch deletes the download.")
  String sha256;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      defaultValue = "${env:HF_ENDPOINT:-https://huggingface.co}",
      description = "Hub to download from (env HF_ENDPOINT, default ${DEFAULT-VALUE}).")
  URI endpoint;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Times a broken transfer is resumed before giving up (default ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--read-timeout",
      defaultValue = "${env:INFERD_PULL_READ_TIMEOUT_SECONDS:-60}",
      paramLabel = "SECONDS",
      description =
          "A transfer that sends nothing for this long is treated as broken: resumed (see"
              + " --retries) or given up (env INFERD_PULL_READ_TIMEOUT_SECONDS, default"
              + " ${DEFAULT-VALUE}).")
  double readTimeoutSeconds;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar.")
  boolean quiet;

  /** The environment (HF_TOKEN, INFERD_MODELS_DIR); tests replace it. */
  Map<String, String> env = System.getenv();

  Duration retryDelay = Duration.ofSeconds(1);

  public PullCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = ModelsDirectory.pulled(modelsDir, env);
    ModelDownloader downloader;
    URI url;
    try {
      if (!(readTimeoutSeconds > 0)) {
        throw new IllegalArgumentException(
            "--read-timeout: " + readTimeoutSeconds + " (expected: > 0 seconds)");
      }
      downloader =
          ModelDownloader.builder(endpoint)
              .readTimeout(Duration.ofMillis((long) (readTimeoutSeconds * 1000)))
              .token(Optional.ofNullable(env.get("HF_TOKEN")))
              .retries(retries, retryDelay)
              .build();
      url = downloader.url(repo, revision, file);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    String name = file.substring(file.lastIndexOf('/') + 1);
    boolean interactive = isTerminal();
    ProgressBar bar = quiet ? null : new ProgressBar(err, name, interactive, System::nanoTime);
    ProgressListener progress = bar == null ? ProgressListener.NONE : bar;
    if (!quiet) {
      err.println("pulling " + url + " into " + dir);
      err.flush();
    }
    Result result;
    try {
      result =
          downloader.download(repo, revision, file, dir, Optional.ofNullable(sha256), progress);
    } catch (ChecksumMismatchException e) {
      finish(bar);
      err.println("error: " + e.getMessage());
      return 3;
    } catch (DownloadException e) {
      finish(bar);
      err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      finish(bar);
      err.println("error: " + e.getMessage());
      return 2;
    }
    finish(bar);
    if (result.alreadyPresent()) {
      err.println(
          result.file()
              + " is already there"
              + (result.verified() ? " (sha256 verified)" : "")
              + "; delete it to download again");
    } else if (result.verified()) {
      err.println("sha256 verified: " + result.sha256());
    } else {
      err.println("sha256 " + result.sha256() + " (the server published none to verify against)");
    }
    describeModel(result.file(), err);
    out.println(result.file());
    out.flush();
    err.flush();
    return 0;
  }

  private static void describeModel(Path file, PrintWriter err) {
    if (!file.getFileName().toString().endsWith(".gguf")) {
      return;
    }
    try {
      GgufHeader header = GgufHeader.read(file);
      String modelName = ModelsCommand.suggestedName(file);
      err.println(
          "model: "
              + header.architecture().orElse("unknown architecture")
              + (header.contextLength().isPresent()
                  ? ", context " + header.contextLength().getAsLong()
                  : "")
              + "; serve it with: ./inferd serve --model "
              + modelName
              + "="
              + file);
    } catch (ModelLoadException e) {
      err.println("warning: " + file + " is not a valid GGUF model: " + e.getMessage());
    }
  }

  private static void finish(ProgressBar bar) {
    if (bar != null) {
      bar.finishLine();
    }
  }

  /** A terminal gets a redrawn bar; a log file or pipe gets a line per 10%. */
  private static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try { // JDK 22+ returns a Console for redirected streams too; isTerminal() tells them apart
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a Console means a terminal
    }
  }
}
