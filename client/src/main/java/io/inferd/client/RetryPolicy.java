package io.inferd.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.inferd.api.v1.InferenceServiceGrpc;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How failed calls are retried: by grpc-java's built-in retry (gRFC A6), set up through the
 * channel's service config for every method of {@code ai.inference.v1.InferenceService}. Retried
 * codes: UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED.
 *
 * <p>Built-in retry replaces the source document's Python {@code RetryInterceptor} because it
 * already does what that one needs, for all four call kinds:
 *
 * <ul>
 *   <li>Backoff with full jitter: each wait is random in [0, b), b starting at {@code
 *       initialBackoff} and multiplied after each retry up to {@code maxBackoff}.
 *   <li>A call commits to its attempt when response headers arrive (grpc-java servers send them
 *       with the first response message): a stream that delivered tokens is never replayed (the
 *       caller sees them, then the error). Until then, the request messages of client and bidi
 *       streams are buffered and replayed on each new attempt.
 *   <li>The server's {@code grpc-retry-pushback-ms} trailer replaces the backoff: a value >= 0
 *       retries after exactly that long (grpc-java does so even for a code not in the list), a
 *       negative or unreadable one stops retrying.
 *   <li>The call's deadline spans all attempts and waits. When it expires, the client cancels the
 *       whole call with DEADLINE_EXCEEDED, which is never retried, and a pending retry is dropped.
 *       So DEADLINE_EXCEEDED is retried only when the server (or a proxy) returns it while the
 *       caller's deadline still has room, e.g. a server-side queue timeout. The Python interceptor
 *       gives each attempt a fresh timeout instead and can take (retries + 1) times the budget.
 * </ul>
 *
 * <p>A custom interceptor would still be needed for: a per-attempt timeout shorter than the overall
 * deadline (grpc-java's retry policy has none); resuming a stream that broke after tokens arrived
 * (resend with the partial answer: application logic); decisions on anything but the status code;
 * channels this client does not build ({@link InferenceClient.Builder#channel}): the policy belongs
 * to the channel, see {@link #applyTo}.
 *
 * <p>Buffer limits: replaying needs the sent messages, which grpc-java keeps until the call
 * commits, up to {@code perRpcBufferLimit} (1 MiB) per call and {@code retryBufferSize} (16 MiB)
 * per channel. A BatchEmbed whose texts exceed that commits to the attempt in flight: it carries
 * on, but a failure after that point reaches the caller unretried. Split large batches or raise the
 * limits on the channel builder.
 *
 * @param maxRetries retries after the first attempt, at least 1 (use {@link
 *     InferenceClient.Builder#noRetry()} for none)
 * @param initialBackoff the first backoff bound, > 0
 * @param maxBackoff the largest backoff bound, >= initialBackoff
 * @param backoffMultiplier growth of the bound per retry, > 0
 */
public record RetryPolicy(
    int maxRetries, Duration initialBackoff, Duration maxBackoff, double backoffMultiplier) {

  /** The codes retried; others fail at once (unless the server sends a pushback). */
  public static final List<Status.Code> RETRYABLE_CODES =
      List.of(
          Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED, Status.Code.DEADLINE_EXCEEDED);

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), 2.0);

  public RetryPolicy {
    if (maxRetries < 1) {
      throw new IllegalArgumentException(
          "maxRetries: " + maxRetries + " (expected: >= 1; noRetry() turns retries off)");
    }
    InferenceClient.Builder.positive(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
    }
    if (!(backoffMultiplier > 0) || Double.isInfinite(backoffMultiplier)) {
      throw new IllegalArgumentException(
          "backoffMultiplier: " + backoffMultiplier + " (expected: > 0)");
    }
  }

  /** 3 retries, backoff from 100 ms doubling up to 2 s. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** This policy with another number of retries. */
  public RetryPolicy withMaxRetries(int maxRetries) {
    return new RetryPolicy(maxRetries, initialBackoff, maxBackoff, backoffMultiplier);
  }

  /** The first attempt plus the retries. */
  public int maxAttempts() {
    return maxRetries + 1;
  }

  /** The policy as a service config, for {@link ManagedChannelBuilder#defaultServiceConfig}. */
  public Map<String, ?> serviceConfig() {
    // Service config maps are parsed JSON: numbers must be Doubles, durations "1.5s" strings.
    Map<String, ?> retryPolicy =
        Map.of(
            "maxAttempts", (double) maxAttempts(),
            "initialBackoff", seconds(initialBackoff),
            "maxBackoff", seconds(maxBackoff),
            "backoffMultiplier", backoffMultiplier,
            "retryableStatusCodes", RETRYABLE_CODES.stream().map(Enum::name).toList());
    Map<String, ?> methodConfig =
        Map.of(
            "name",
            List.of(Map.of("service", InferenceServiceGrpc.SERVICE_NAME)),
            "retryPolicy",
            retryPolicy);
    return Map.of("methodConfig", List.of(methodConfig));
  }

  /**
   * Sets this policy on a channel builder, for channels built outside {@link InferenceClient}. A
   * service config sent by the name resolver (rare: DNS lookup of it is off by default) wins.
   */
  public void applyTo(ManagedChannelBuilder<?> channelBuilder) {
    channelBuilder
        .defaultServiceConfig(serviceConfig())
        .enableRetry()
        .maxRetryAttempts(maxAttempts()); // grpc-java caps maxAttempts at 5 unless raised here
  }

  private static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
  }
}
