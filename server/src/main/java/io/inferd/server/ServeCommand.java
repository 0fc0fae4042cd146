package io.inferd.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.inferd.engine.ModelLoadException;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import io.inferd.engine.onnx.MiniLmEmbedder;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.InferenceCore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferd serve}: loads the models, then serves gRPC until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start the inference server: loads the models, then serves ai.inference.v1 over gRPC with health"
          + " and reflection, and prints 'inferd ready: …' on stdout once it accepts calls.",
      "Every option can also be set through the environment variable shown in its description.",
    })
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "${env:INFERD_HOST:-127.0.0.1}",
      description = "Address to listen on; 0.0.0.0 for every interface (env INFERD_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "${env:INFERD_PORT:-50051}",
      description = "gRPC port; 0 picks a free one (env INFERD_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME=PATH.gguf",
      split = ",",
      defaultValue = "${env:INFERD_MODELS}",
      description = {
        "A GGUF text-generation model; repeat for several (env INFERD_MODELS, comma-separated).",
        "Without it, the first .gguf in models/ or ../shared/models/ of the inferd checkout is used."
      })
  List<String> models = new ArrayList<>();

  @Option(
      names = "--default-model",
      defaultValue = "${env:INFERD_DEFAULT_MODEL}",
      description = "Model used when a request leaves 'model' empty (env INFERD_DEFAULT_MODEL; default: the first --model).")
  String defaultModel;

  @Option(
      names = "--embeddings",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Load the all-minilm-l6-v2 embedding model for BatchEmbed (default: on).")
  boolean embeddings;

  @Option(
      names = "--threads",
      defaultValue = "${env:INFERD_THREADS:-0}",
      description = "CPU threads per generation model; 0 means one per core (env INFERD_THREADS).")
  int threads;

  @Option(
      names = "--parallel",
      defaultValue = "${env:INFERD_PARALLEL:-2}",
      description = "Generations that run at once, per model slot (env INFERD_PARALLEL, default ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--queue",
      defaultValue = "${env:INFERD_QUEUE:-16}",
      description = "Requests that may wait for a free slot; beyond that RESOURCE_EXHAUSTED at once (env INFERD_QUEUE, default ${DEFAULT-VALUE}).")
  int queue;

  @Option(
      names = "--context",
      defaultValue = "${env:INFERD_CONTEXT:-0}",
      description = "Tokens per generation (prompt + answer); 0: the model's own, at most 2048 (env INFERD_CONTEXT).")
  int context;

  @Option(
      names = "--default-max-tokens",
      defaultValue = "${env:INFERD_DEFAULT_MAX_TOKENS:-256}",
      description = "Tokens generated when a request leaves max_tokens at 0 (default ${DEFAULT-VALUE}).")
  int defaultMaxTokens;

  @Option(
      names = "--max-tokens-limit",
      defaultValue = "${env:INFERD_MAX_TOKENS_LIMIT:-4096}",
      description = "Largest max_tokens a request may ask for (default ${DEFAULT-VALUE}).")
  int maxTokensLimit;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:INFERD_SHUTDOWN_GRACE_SECONDS:-10}",
      description = "Seconds running calls get to finish after SIGTERM before they are cancelled (default ${DEFAULT-VALUE}).")
  int shutdownGraceSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    List<ModelSpec> specs;
    try {
      specs = modelSpecs();
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    ModelRegistry registry;
    try {
      registry = loadModels(specs);
    } catch (ModelLoadException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 3;
    }
    int slots = parallel * registry.generatorNames().size();
    var core =
        new InferenceCore(
            registry,
            new Scheduler(slots, queue, 1000),
            new CoreLimits(defaultMaxTokens, maxTokensLimit, 2048, 0.7f));
    var address = new InetSocketAddress(host, port);
    var server = new InferdServer(NettyServerBuilder.forAddress(address), core);
    try {
      server.start();
    } catch (IOException e) {
      registry.close();
      String why = portTaken(e) ? "address already in use (choose another --port)" : rootMessage(e);
      err.println("error: cannot listen on " + host + ":" + port + ": " + why);
      return 4;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down: {} s grace for running calls", shutdownGraceSeconds);
                  server.stop(Duration.ofSeconds(shutdownGraceSeconds));
                  registry.close();
                  log.info("stopped");
                  // llama.cpp leaves a native thread behind; end the process with success ourselves.
                  Runtime.getRuntime().halt(0);
                },
                "inferd-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "inferd ready: grpc=%s:%d models=%s embeddings=%s%n",
        host,
        server.port(),
        String.join(",", registry.generatorNames()),
        registry.embedderNames().isEmpty() ? "off" : String.join(",", registry.embedderNames()));
    out.flush();
    server.awaitTermination();
    return 0;
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

  private List<ModelSpec> modelSpecs() {
    List<ModelSpec> specs = new ArrayList<>();
    for (String model : models) {
      if (!model.isBlank()) {
        specs.add(ModelSpec.parse(model.strip()));
      }
    }
    if (specs.isEmpty()) {
      Path home = Path.of(System.getProperty("inferd.home", "."));
      specs.add(
          DefaultModels.find(home)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no generation model: pass --model NAME=PATH.gguf (none found in "
                              + DefaultModels.searchPath(home)
                              + ")")));
    }
    for (ModelSpec model : specs) {
      if (!Files.isRegularFile(model.path())) {
        throw new IllegalArgumentException(
            "model file not found: " + model.path().toAbsolutePath() + " (--model " + model + ")");
      }
    }
    return specs;
  }

  private ModelRegistry loadModels(List<ModelSpec> specs) {
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    var options = new LlamaOptions(cores, parallel, context);
    ModelRegistry.Builder registry = ModelRegistry.builder().defaultGenerator(defaultModel);
    for (ModelSpec model : specs) {
      registry.generator(model.name(), LlamaGenerator.load(model.path(), options));
    }
    if (embeddings) {
      registry.embedder(MiniLmEmbedder.DEFAULT_NAME, MiniLmEmbedder.load());
    }
    return registry.build();
  }
}
