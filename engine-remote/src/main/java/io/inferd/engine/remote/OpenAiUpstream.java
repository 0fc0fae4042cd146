package io.inferd.engine.remote;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.remote.UpstreamPool.Endpoint;
import io.inferd.engine.remote.UpstreamPool.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One OpenAI-compatible upstream as both remote engines use it: its servers' {@link UpstreamPool},
 * the HTTP client, the model to ask for and the API key; and the failover loop that sends a request
 * to the next server when the first one did no work.
 */
final class OpenAiUpstream implements AutoCloseable {
  final UpstreamPool pool;
  final HttpClient http;
  final String model;
  private final String apiKey;
  private final boolean ownsTransport;

  /** {@code http} must be the client {@code pool} probes with; close() closes both if owned. */
  OpenAiUpstream(
      UpstreamPool pool, HttpClient http, String model, String apiKey, boolean ownsTransport) {
    this.pool = requireNonNull(pool, "pool");
    this.http = requireNonNull(http, "http");
    this.model = model == null ? "" : model;
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    this.ownsTransport = ownsTransport;
  }

  /** A pool and client of its own over {@code baseUrls} (each like {@code http://h1:8080/v1}). */
  static OpenAiUpstream connect(
      List<URI> baseUrls, String model, String apiKey, UpstreamPool.Settings settings) {
    HttpClient http = newHttpClient();
    var pool = new UpstreamPool(baseUrls, http, apiKey, settings);
    return new OpenAiUpstream(pool, http, model, apiKey, true);
  }

  /**
   * HTTP/1.1 (one connection per stream, kept alive between requests): closing a connection is how
   * an HTTP/1.1 server learns that a stream's reader left. A 5 s connect timeout.
   */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** A JSON POST to {@code url} with the request id and, when configured, the API key. */
  HttpRequest.Builder post(URI url, String requestId, byte[] body, Duration timeout) {
    HttpRequest.Builder post =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header(RequestIds.HEADER, requestId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      post.header("Authorization", "Bearer " + apiKey);
    }
    return post;
  }

  /** One request to one server; throws {@link RetryElsewhere} when the server did no work. */
  interface Attempt<T> {
    T run(Lease lease) throws RetryElsewhere;
  }

  /**
   * Runs {@code attempt} on the pool's servers in turn until one answers, while {@code
   * remainingNanos} says there is time; the last failure when none could.
   */
  <T> T withFailover(Attempt<T> attempt, LongSupplier remainingNanos) {
    List<Endpoint> tried = new ArrayList<>();
    InferenceException lastFailure =
        UpstreamFailures.failure(Kind.UNAVAILABLE, "upstream_unavailable", "no upstream to ask");
    while (true) {
      Optional<Lease> next = pool.acquire(tried);
      if (next.isEmpty()) {
        throw lastFailure;
      }
      try (Lease lease = next.get()) {
        tried.add(lease.endpoint());
        try {
          return attempt.run(lease);
        } catch (RetryElsewhere retry) {
          lastFailure = retry.failure;
          if (remainingNanos.getAsLong() <= 0) {
            throw lastFailure;
          }
        }
      }
    }
  }

  /** The one log line per upstream request, on {@code inferd.upstream}. */
  void log(
      URI url,
      String requestId,
      int httpStatus,
      String outcome,
      long startNanos,
      String more,
      InferenceException failure) {
    UpstreamLog.request(
        url.toString(),
        model,
        requestId,
        "http=" + (httpStatus == 0 ? "-" : Integer.toString(httpStatus)),
        outcome,
        startNanos,
        more + (failure == null ? "" : " error=\"" + failure.getMessage() + "\""));
  }

  @Override
  public void close() {
    if (ownsTransport) {
      pool.close();
      http.close();
    }
  }

  /** The server turned the request away before doing any work; the next one may take it. */
  static final class RetryElsewhere extends Exception {
    final InferenceException failure;

    RetryElsewhere(InferenceException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }
}
