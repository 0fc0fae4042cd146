package io.inferd.client.cli;

import io.grpc.ManagedChannel;
import io.inferd.client.InferenceClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How the client verbs reach the server; shared by all of them as a picocli mixin. */
public final class ConnectionOptions {
  @Option(
      names = "--target",
      order = 20,
      paramLabel = "TARGET",
      defaultValue = "${env:INFERD_TARGET:-127.0.0.1:50051}",
      description =
          "Server address: host:port or a gRPC target such as dns:///host:port"
              + " (default: $INFERD_TARGET, else 127.0.0.1:50051).")
  String target;

  @Option(names = "--tls", order = 21, description = "Use TLS, trusting the JDK's certificate authorities.")
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
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Deadline of the call, e.g. 500ms, 30s, 2m (default: 60s; for chat it bounds the"
              + " whole conversation, default: 30m).")
  Duration deadline;

  @Option(
      names = "--api-key",
      order = 24,
      paramLabel = "KEY",
      defaultValue = "${env:INFERD_API_KEY}",
      description =
          "API key, sent as x-api-key metadata (default: $INFERD_API_KEY; prefer the variable,"
              + " since arguments show in process lists).")
  String apiKey;

  @Option(
      names = {"-v", "--verbose"},
      order = 30,
      description = "Print the stack trace of a failure.")
  boolean verbose;

  private ManagedChannel channel;

  public ConnectionOptions() {}

  /** Test hook: talk over {@code channel} (e.g. in-process) instead of opening one to --target. */
  void useChannel(ManagedChannel channel) {
    this.channel = channel;
  }

  boolean verbose() {
    return verbose;
  }

  /** A client for these options; {@code defaultDeadline} applies when --deadline is not given. */
  InferenceClient connect(Duration defaultDeadline) {
    var builder =
        InferenceClient.builder(target)
            .defaultDeadline(deadline != null ? deadline : defaultDeadline);
    if (tlsTrust != null) {
      builder.tls(tlsTrust);
    } else if (tls) {
      builder.tls();
    }
    if (apiKey != null && !apiKey.isBlank()) {
      builder.apiKey(apiKey);
    }
    if (channel != null) {
      builder.channel(channel);
    }
    return builder.build();
  }
}
