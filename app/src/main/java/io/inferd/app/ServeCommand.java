package io.inferd.app;

import io.inferd.engine.FlashAttention;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.ModelSpec;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.FastMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferd serve}: loads the models, then serves gRPC until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start the inference server (gRPC and the OpenAI-compatible REST API) on the models.",
      "It loads the models, then serves ai.inference.v1 over gRPC with health and reflection, and"
          + " prints 'inferd ready: …' on stdout once it accepts calls.",
      "Every option can also be set through the environment variable shown in its description.",
    })
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:INFERD_HOST:-127.0.0.1}",
      description =
          "Address to listen on; 0.0.0.0 for every interface (env INFERD_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "${env:INFERD_PORT:-50051}",
      description = "gRPC port; 0 picks a free one (env INFERD_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "${env:INFERD_HTTP_PORT:-8080}",
      description =
          "Port of the OpenAI-compatible REST API (/v1/chat/completions, /v1/embeddings, /v1/models); 0 picks a free one, -1 turns it off (env INFERD_HTTP_PORT, default ${DEFAULT-VALUE}).")
  int httpPort;

  @Mixin ModelOptions models = new ModelOptions();

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "${env:INFERD_THREADS:-0}",
      description = "CPU threads per generation model; 0 means one per core (env INFERD_THREADS).")
  int threads;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "${env:INFERD_PARALLEL:-2}",
      description =
          "Generations that run at once, per model slot (env INFERD_PARALLEL, default ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--queue",
      paramLabel = "N",
      defaultValue = "${env:INFERD_QUEUE:-16}",
      description =
          "Requests that may wait for a free slot; beyond that RESOURCE_EXHAUSTED at once (env INFERD_QUEUE, default ${DEFAULT-VALUE}).")
  int queue;

  @Option(
      names = "--context",
      paramLabel = "TOKENS",
      defaultValue = "${env:INFERD_CONTEXT:-0}",
      description =
          "Tokens per generation (prompt + answer); 0: the model's own, at most 2048 (env INFERD_CONTEXT).")
  int context;

  @Option(
      names = "--default-max-tokens",
      paramLabel = "N",
      defaultValue = "${env:INFERD_DEFAULT_MAX_TOKENS:-256}",
      description =
          "Tokens generated when a request leaves max_tokens at 0 (default ${DEFAULT-VALUE}).")
  int defaultMaxTokens;

  @Option(
      names = "--max-tokens-limit",
      paramLabel = "N",
      defaultValue = "${env:INFERD_MAX_TOKENS_LIMIT:-4096}",
      description = "Largest max_tokens a request may ask for (default ${DEFAULT-VALUE}).")
  int maxTokensLimit;

  @Option(
      names = "--max-prompt-tokens",
      paramLabel = "N",
      defaultValue = "${env:INFERD_MAX_PROMPT_TOKENS:-32768}",
      description =
          "Longest prompt accepted, in the model's tokens (default ${DEFAULT-VALUE}; the model's context caps it too).")
  int maxPromptTokens;

  @Option(
      names = "--max-embed-texts",
      paramLabel = "N",
      defaultValue = "${env:INFERD_MAX_EMBED_TEXTS:-2048}",
      description =
          "Texts one BatchEmbed stream or embeddings request may carry (default ${DEFAULT-VALUE}).")
  int maxEmbedTexts;

  @Option(
      names = "--rate-limit",
      defaultValue = "${env:INFERD_RATE_LIMIT:-0}",
      paramLabel = "PER_SECOND",
      description =
          "Requests per second each API key (or client address, without auth) may make; 0 = unlimited (default).")
  double rateLimit;

  @Option(
      names = "--rate-burst",
      paramLabel = "N",
      defaultValue = "${env:INFERD_RATE_BURST:-20}",
      description =
          "Requests a caller may make at once before --rate-limit applies (default ${DEFAULT-VALUE}).")
  double rateBurst;

  @Option(
      names = "--stream-idle-timeout",
      defaultValue = "${env:INFERD_STREAM_IDLE_TIMEOUT_SECONDS:-60}",
      paramLabel = "SECONDS",
      description =
          "A stream whose client reads nothing for this long is ended and its slot freed (default ${DEFAULT-VALUE}).")
  long streamIdleTimeoutSeconds;

  @Option(
      names = "--compress-responses",
      defaultValue = "false",
      description =
          "gzip gRPC responses for clients that accept it (requests are always accepted gzipped).")
  boolean compressResponses;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "SECONDS",
      defaultValue = "${env:INFERD_SHUTDOWN_GRACE_SECONDS:-10}",
      description =
          "After SIGTERM the process exits within this many seconds: running calls get the grace"
              + " less a quarter of it (at most 1 s), then those still open are ended (gRPC:"
              + " UNAVAILABLE; REST: a shutting_down error) (default ${DEFAULT-VALUE}).")
  int shutdownGraceSeconds;

  @Option(
      names = "--api-keys-file",
      defaultValue = "${env:INFERD_API_KEYS_FILE}",
      paramLabel = "FILE",
      description = {
        "API keys, one per line: ID=SECRET, ID=sha256:HEX or SECRET; re-read when it changes"
            + " (env INFERD_API_KEYS_FILE). Keys can also come from env INFERD_API_KEYS"
            + " (comma-separated, same forms).",
        "Without any key, authentication is OFF (local development only)."
      })
  Path apiKeysFile;

  @Option(
      names = "--api-keys-on-error",
      defaultValue = "${env:INFERD_API_KEYS_ON_ERROR:-reject}",
      paramLabel = "reject|keep",
      description =
          "When a reload finds the keys file broken, unreadable or deleted: reject (default) accepts"
              + " no key from it until it is fixed; keep serves the keys read before and logs an"
              + " error at every check (env INFERD_API_KEYS_ON_ERROR).")
  String apiKeysOnError;

  @Mixin GrpcTransportOptions transport = new GrpcTransportOptions();

  @Mixin HttpListenerOptions http = new HttpListenerOptions();

  @Mixin TracingOptions tracing = new TracingOptions();

  @Option(
      names = "--metrics-plaintext",
      defaultValue = "false",
      description =
          "With TLS on, serve /metrics in plaintext on 127.0.0.1 only (for a local scraper);"
              + " otherwise /metrics speaks the same TLS as the other ports.")
  boolean metricsPlaintext;

  @Option(
      names = "--gpu-layers",
      defaultValue = "${env:INFERD_GPU_LAYERS:--1}",
      paramLabel = "N",
      description =
          "Model layers llama.cpp offloads to the GPU; -1 (default) = all of them when llama.cpp was"
              + " built with CUDA (engine/native/build-llama.sh finds nvcc), else none (env"
              + " INFERD_GPU_LAYERS).")
  int gpuLayers;

  @Option(
      names = "--flash-attn",
      defaultValue = "${env:INFERD_FLASH_ATTN:-auto}",
      paramLabel = "auto|on|off",
      converter = FlashAttentionConverter.class,
      description =
          "llama.cpp's fused flash-attention kernel: auto (default) lets llama.cpp decide, as"
              + " llama-server's -fa does; on CPUs it is faster on short contexts and slower on"
              + " long ones (env INFERD_FLASH_ATTN).")
  FlashAttention flashAttention;

  @Option(
      names = "--upstream-api-key",
      paramLabel = "KEY",
      defaultValue = "${env:INFERD_UPSTREAM_API_KEY}",
      description =
          "API key sent to upstream models: x-api-key on grpc://, Authorization: Bearer on"
              + " openai+http(s):// (env INFERD_UPSTREAM_API_KEY).")
  String upstreamApiKey;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:INFERD_METRICS_PORT:-9464}",
      description =
          "Port of GET /metrics (Prometheus); 0 picks a free one, -1 turns it off (env INFERD_METRICS_PORT, default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--fast-mode-below",
      defaultValue = "${env:INFERD_FAST_MODE_BELOW_MS:-5000}",
      paramLabel = "MS",
      description =
          "Calls whose deadline leaves less than this many ms are answered in fast mode; 0 turns fast mode off (default ${DEFAULT-VALUE}).")
  long fastModeBelowMillis;

  @Option(
      names = "--fast-max-tokens",
      paramLabel = "N",
      defaultValue = "${env:INFERD_FAST_MAX_TOKENS:-32}",
      description = "Fast mode caps the answer at this many tokens (default ${DEFAULT-VALUE}).")
  int fastMaxTokens;

  @Option(
      names = "--fast-model",
      paramLabel = "NAME",
      defaultValue = "${env:INFERD_FAST_MODEL}",
      description = "Fast mode runs requests that name no model on this (smaller) model.")
  String fastModel;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    InferdConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    Inferd inferd;
    try {
      inferd = Inferd.start(config);
    } catch (ModelLoadException e) {
      err.println("error: " + e.getMessage());
      return 3;
    } catch (Inferd.ListenException e) {
      String address = host + ":" + portOf(e.option());
      String why =
          portTaken(e)
              ? "port "
                  + portOf(e.option())
                  + " is already in use (another inferd, or another program, listens there;"
                  + " stop it or choose another "
                  + e.option()
                  + ")"
              : rootMessage(e);
      err.println("error: cannot listen on " + address + " (" + e.option() + "): " + why);
      return 4;
    } catch (IOException | IllegalArgumentException e) { // unreadable TLS files
      err.println("error: " + e.getMessage());
      return 2;
    }
    if (!config.keys().enabled()) {
      log.warn(
          "AUTHENTICATION IS OFF: any client can call this server. Set --api-keys-file or"
              + " INFERD_API_KEYS before exposing it beyond this machine.");
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down within the {} s grace", shutdownGraceSeconds);
                  Thread stopping =
                      Thread.ofPlatform().name("inferd-stop").daemon().start(inferd::stop);
                  try {
                    if (!stopping.join(config.shutdownGrace())) {
                      log.warn(
                          "the {} s shutdown grace is over; exiting before the models were"
                              + " closed",
                          shutdownGraceSeconds);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  // llama.cpp leaves a native thread behind; end the process with success
                  // ourselves, and at the latest when the grace is over.
                  Runtime.getRuntime().halt(0);
                },
                "inferd-shutdown"));
    ModelRegistry registry = inferd.models();
    // What each port speaks: "+tls" or "+mtls" when the TLS options cover it.
    String security = config.transport().security();
    boolean metricsLocal = config.metricsPlaintext() && config.transport().tls();
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "inferd ready: grpc%s=%s:%d http%s=%s metrics%s=%s models=%s embeddings=%s auth=%s%n",
        security,
        host,
        inferd.grpcPort(),
        inferd.httpPort() < 0 ? "" : security,
        inferd.httpPort() < 0 ? "off" : host + ":" + inferd.httpPort(),
        inferd.metricsPort() < 0 || metricsLocal ? "" : security,
        inferd.metricsPort() < 0
            ? "off"
            : (metricsLocal ? "127.0.0.1" : host) + ":" + inferd.metricsPort(),
        String.join(",", registry.generatorNames()),
        registry.embedderNames().isEmpty() ? "off" : String.join(",", registry.embedderNames()),
        config.keys().enabled() ? "on(" + config.keys().size() + " keys)" : "OFF");
    out.flush();
    inferd.awaitTermination();
    return 0;
  }

  /** The options as one configuration; fails with the message serve prints on a bad option. */
  InferdConfig config() {
    List<ModelSpec> generators = models.generators();
    if (fastModel != null
        && !fastModel.isBlank()
        && generators.stream().noneMatch(m -> m.name().equals(fastModel))) {
      throw new IllegalArgumentException(
          "--fast-model " + fastModel + " is not one of the --model names");
    }
    List<ModelSpec> embedders = models.embedders();
    return InferdConfig.builder()
        .host(host)
        .ports(port, httpPort, metricsPort)
        .generators(generators)
        .embedders(embedders)
        .miniLm(models.miniLm)
        .defaultModel(models.defaultModel)
        .threads(threads)
        .parallel(parallel)
        .queue(queue)
        .contextTokens(context)
        .upstreamApiKey(upstreamApiKey)
        .limits(
            new CoreLimits(defaultMaxTokens, maxTokensLimit, maxEmbedTexts, 0.7f, maxPromptTokens))
        .fastMode(
            fastModeBelowMillis <= 0
                ? FastMode.off()
                : new FastMode(Duration.ofMillis(fastModeBelowMillis), fastMaxTokens, fastModel))
        .keys(ApiKeyStore.of(apiKeysFile, System.getenv("INFERD_API_KEYS"), keysOnError()))
        .httpListener(http.settings())
        .metricsPlaintext(metricsPlaintext)
        .gpuLayers(gpuLayers)
        .flashAttention(flashAttention)
        .rateLimit(rateLimit, rateBurst)
        .streamIdleTimeout(Duration.ofSeconds(streamIdleTimeoutSeconds))
        .compressResponses(compressResponses)
        .transport(transport.settings())
        .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
        .tracing(tracing.settings())
        .build();
  }

  /** The port that the option naming it was given. */
  private String portOf(String option) {
    return switch (option) {
      case "--port" -> Integer.toString(port);
      case "--http-port" -> Integer.toString(httpPort);
      case "--metrics-port" -> Integer.toString(metricsPort);
      default -> "?";
    };
  }

  /** Netty's epoll transport reports a taken port as a native IOException, not a BindException. */
  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  private ApiKeyStore.OnError keysOnError() {
    return switch (apiKeysOnError.strip()) {
      case "reject" -> ApiKeyStore.OnError.REJECT_ALL;
      case "keep" -> ApiKeyStore.OnError.KEEP_PREVIOUS;
      default ->
          throw new IllegalArgumentException(
              "--api-keys-on-error: " + apiKeysOnError + " (expected: reject or keep)");
    };
  }
}
