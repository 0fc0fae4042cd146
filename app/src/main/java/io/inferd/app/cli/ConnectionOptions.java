package io.inferd.app.cli;

import io.grpc.ManagedChannelBuilder;
import io.inferd.client.Deadlines;
import io.inferd.client.InferenceClient;
import io.inferd.client.LoadBalancing;
import io.inferd.client.LoggingInterceptor;
import io.inferd.client.RetryPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.event.Level;
import picocli.CommandLine.Option;

/** How the client verbs reach the server; shared by all of them as a picocli mixin. */
public final class ConnectionOptions {
  @Option(
      names = "--target",
      order = 20,
      paramLabel = "TARGET",
      defaultValue = "${env:INFERD_TARGET:-127.0.0.1:50051}",
      description =
          "Server address: host:port, several as host:port,host:port (round robin over them), or a"
              + " gRPC target such as dns:///host:port (default: $INFERD_TARGET, else"
              + " 127.0.0.1:50051).")
  String target;

  @Option(
      names = "--load-balancing",
      order = 26,
      paramLabel = "POLICY",
      description =
          "How calls spread over the servers the target names or resolves to: round_robin (each"
              + " server in turn, skipping any whose health check says NOT_SERVING) or pick_first"
              + " (default: round_robin for a list of addresses, else pick_first).")
  String loadBalancing;

  @Option(
      names = "--no-health-check",
      order = 27,
      description =
          "With round_robin, do not watch the servers' grpc.health.v1 status; only connectivity"
              + " decides.")
  boolean noHealthCheck;

  @Option(
      names = "--tls",
      order = 21,
      description = "Use TLS, trusting the JDK's certificate authorities.")
  boolean tls;

  @Option(
      names = "--tls-trust",
      order = 22,
      paramLabel = "PEM",
      description = "Use TLS, trusting only the certificates in this PEM file (e.g. a private CA).")
  Path tlsTrust;

  @Option(
      names = "--deadline",
      order = 23,
      paramLabel = "DURATION|auto",
      converter = DeadlineOption.Converter.class,
      description =
          "Deadline of the call, retries included: a duration such as 500ms, 30s, 2m, or 'auto'"
              + " to size it to the prompt and --max-tokens (complete, stream): 2s + 1ms per 4"
              + " prompt characters + 50ms per token to generate (256 if --max-tokens is 0), within"
              + " 5s..10m (default: 60s; for chat it bounds the whole conversation, default: 30m).")
  DeadlineOption deadline;

  @Option(
      names = "--retries",
      order = 24,
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Retries of a call that fails with UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED"
              + " before any answer arrives, waiting a random time up to 100ms, 200ms, 400ms..."
              + " (at most 2s) or as long as the server asks; 0 disables (default: 3).")
  int retries;

  @Option(
      names = "--api-key",
      order = 25,
      paramLabel = "KEY",
      defaultValue = "${env:INFERD_API_KEY}",
      description =
          "API key, sent as x-api-key metadata (default: $INFERD_API_KEY; prefer the variable,"
              + " since arguments show in process lists).")
  String apiKey;

  @Option(
      names = {"-v", "--verbose"},
      order = 30,
      description =
          "Log each call to stderr: method, status, time, attempts, and the messages sent and"
              + " received (never the API key); print the stack trace of a failure.")
  boolean verbose;

  private ManagedChannelBuilder<?> channelBuilder;

  public ConnectionOptions() {}

  /** Test hook: talk over a channel from {@code channelBuilder} instead of one to --target. */
  void useChannel(ManagedChannelBuilder<?> channelBuilder) {
    this.channelBuilder = channelBuilder;
  }

  /** The --target as given (or its default). */
  String target() {
    return target;
  }

  boolean verbose() {
    return verbose;
  }

  /**
   * A client for these options; {@code defaultDeadline} applies when --deadline is not given (or is
   * auto, to calls other than completions); --verbose lines go to {@code err}.
   */
  InferenceClient connect(Duration defaultDeadline, PrintWriter err) {
    boolean fixed = deadline != null && !deadline.isAuto();
    var builder =
        InferenceClient.builder(target).defaultDeadline(fixed ? deadline.fixed() : defaultDeadline);
    if (deadline != null && deadline.isAuto()) {
      builder.deadlinePolicy(Deadlines.defaults());
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries: " + retries + " (expected: >= 0)");
    }
    if (retries == 0) {
      builder.noRetry();
    } else {
      builder.retry(RetryPolicy.defaults().withMaxRetries(retries));
    }
    if (verbose) {
      builder.logging(LoggingInterceptor.to((level, line) -> print(err, level, line), true));
    } else {
      builder.noLogging(); // failures show as one error line; a log line would repeat it
    }
    if (tlsTrust != null) {
      builder.tls(tlsTrust);
    } else if (tls) {
      builder.tls();
    }
    if (apiKey != null && !apiKey.isBlank()) {
      builder.apiKey(apiKey);
    }
    if (loadBalancing != null) {
      String policy = loadBalancing.strip();
      if (!policy.equals(LoadBalancing.ROUND_ROBIN) && !policy.equals(LoadBalancing.PICK_FIRST)) {
        throw new IllegalArgumentException(
            "--load-balancing: '" + policy + "' (expected: round_robin or pick_first)");
      }
      builder.loadBalancing(LoadBalancing.of(policy, !noHealthCheck));
    } else if (noHealthCheck && (target.contains(",") || target.startsWith("static:"))) {
      builder.loadBalancing(LoadBalancing.roundRobin().withoutHealthChecks());
    }
    if (channelBuilder != null) {
      builder.channelBuilder(channelBuilder);
    }
    return builder.build();
  }

  private static void print(PrintWriter err, Level level, String line) {
    err.printf("%-5s %s%n", level, line);
    err.flush();
  }
}
