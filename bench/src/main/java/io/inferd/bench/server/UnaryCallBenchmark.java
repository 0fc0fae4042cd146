package io.inferd.bench.server;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.bench.Payloads;
import io.inferd.bench.engine.BenchOnlyEngine;
import io.inferd.bench.load.Scenario;
import io.inferd.bench.load.Work;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.Scheduler;
import io.inferd.server.InferdServer;
import io.inferd.server.core.CoreLimits;
import io.inferd.server.core.InferenceCore;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: one unary Complete through the whole gRPC call path, on one thread (in-process transport,
 * direct executors, the blocking stub's work included): inferd's server (its interceptors and
 * request core over the bench engine) against {@link BareGrpcServer}'s canned service. What inferd
 * adds to a call shows here without the sockets, event loop and thread hand-offs that make the ghz
 * ratio move by a tenth between runs; {@code -prof gc} adds the bytes allocated per call. Not run
 * by ./bench.sh or the tests:
 *
 * <pre>java -cp bench/target/inferd-bench.jar org.openjdk.jmh.Main UnaryCallBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The access log off, as in ./bench.sh: app's logback.xml would write a line per call to stdout.
@Fork(jvmArgsAppend = "-Dlogback.configurationFile=bench-logback.xml")
public class UnaryCallBenchmark {
  @Param({"inferd", "bare"})
  public String server;

  private ModelRegistry models; // inferd only
  private InferenceCore core; // inferd only
  private InferdServer inferd; // inferd only
  private Server bare; // bare only
  private ManagedChannel channel;
  private InferenceServiceGrpc.InferenceServiceBlockingStub stub;
  private final CompleteRequest request =
      new Work(Scenario.UNARY, Payloads.MODEL, Payloads.UNARY_MAX_TOKENS, true).completeRequest();

  @Setup
  public void start() throws IOException {
    String name = "unary-call-benchmark-" + server;
    var transport = InProcessServerBuilder.forName(name).directExecutor();
    switch (server) {
      case "inferd" -> {
        var engine = new BenchOnlyEngine(Duration.ZERO, 1);
        models = ModelRegistry.builder().generator(Payloads.MODEL, engine).build();
        core =
            new InferenceCore(
                models,
                new Scheduler(1, 0, 1_000),
                new CoreLimits(Payloads.UNARY_MAX_TOKENS, 4_096, 2_048, 0.7f, 32_768));
        inferd = new InferdServer(transport, core).start();
      }
      case "bare" ->
          bare =
              transport.addService(new BareGrpcServer.CannedService(Duration.ZERO)).build().start();
      default ->
          throw new IllegalArgumentException("server: " + server + " (expected: inferd or bare)");
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = InferenceServiceGrpc.newBlockingStub(channel);
  }

  @Benchmark
  public CompleteResponse complete() {
    return stub.complete(request);
  }

  @TearDown
  public void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (inferd != null) {
      inferd.stop(Duration.ZERO);
      core.close(); // the server leaves its core to the caller, as serve's composition root does
      models.close();
    }
    if (bare != null) {
      bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
