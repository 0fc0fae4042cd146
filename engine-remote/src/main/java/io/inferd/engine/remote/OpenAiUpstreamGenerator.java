package io.inferd.engine.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.engine.remote.OpenAiUpstream.RetryElsewhere;
import io.inferd.engine.remote.UpstreamPool.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A text generator that is an OpenAI-compatible HTTP server (another inferd's REST gateway, vLLM,
 * llama.cpp's server, OpenAI itself): each generation is one {@code POST {base}/chat/completions}
 * with {@code stream: true}, and the tokens of its server-sent events go to the sink as they
 * arrive.
 *
 * <ul>
 *   <li><b>Cancel</b>: a sink that says stop (the caller cancelled, left, or ran out of time)
 *       cancels the response body at once; the JDK client closes the connection, so the upstream
 *       sees a disconnect at its next write and stops generating. The sink is asked only when a
 *       token arrives, so a cancel is noticed at the upstream's next token.
 *   <li><b>Deadline</b>: the caller's remaining time ({@link GenerationRequest#deadlineNanoTime()})
 *       bounds waiting for the response headers (the request timeout) and then every read; when it
 *       runs out the connection is closed and the call fails with DEADLINE_EXCEEDED.
 *   <li><b>Usage</b>: from the last chunk that carries {@code usage} (inferd puts it in the final
 *       chunk; OpenAI, asked with {@code stream_options.include_usage}, sends a separate chunk
 *       without choices). Without any, the prompt is estimated and each content chunk counts as a
 *       token.
 *   <li><b>Several servers</b>: an {@link UpstreamPool} picks one per request (least outstanding
 *       requests, passive ejection, re-probing). A request that could not be delivered (connection
 *       failed) or was turned away (429, 502, 503, 504) before any token goes to the next server.
 *   <li><b>Request id</b>: every request carries {@code x-request-id} (the caller's, see {@link
 *       RequestIds}, or a fresh one), which the one log line per upstream request names too.
 * </ul>
 */
public final class OpenAiUpstreamGenerator extends RemoteGenerator {

  /** How long to wait for response headers when the caller set no deadline. */
  static final Duration NO_DEADLINE_HEADER_TIMEOUT = Duration.ofMinutes(10);

  private static final int MAX_ERROR_BODY = 16 << 10;

  private final OpenAiUpstream upstream;

  /**
   * A generator over {@code pool}'s servers; {@code http} must be the client the pool probes with.
   * {@link #close()} closes neither.
   */
  public OpenAiUpstreamGenerator(
      UpstreamPool pool, HttpClient http, String upstreamModel, String apiKey, int parallelism) {
    this(new OpenAiUpstream(pool, http, upstreamModel, apiKey, false), parallelism);
  }

  OpenAiUpstreamGenerator(OpenAiUpstream upstream, int parallelism) {
    super(parallelism);
    this.upstream = upstream;
  }

  /**
   * Connects to {@code baseUrls} (each like {@code http://h1:8080/v1}) with a client and pool of
   * its own, which {@link #close()} closes.
   */
  public static OpenAiUpstreamGenerator connect(
      List<URI> baseUrls,
      String upstreamModel,
      String apiKey,
      int parallelism,
      UpstreamPool.Settings settings) {
    return new OpenAiUpstreamGenerator(
        OpenAiUpstream.connect(baseUrls, upstreamModel, apiKey, settings), parallelism);
  }

  public UpstreamPool pool() {
    return upstream.pool;
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    String requestId = RequestIds.take(request.prompt());
    byte[] body = requestBody(request);
    return upstream.withFailover(
        lease -> new Attempt(lease, request, sink, requestId, body).run(),
        () -> remainingNanos(request));
  }

  private static long remainingNanos(GenerationRequest request) {
    return request.deadlineNanoTime().isPresent()
        ? request.deadlineNanoTime().getAsLong() - System.nanoTime()
        : Long.MAX_VALUE;
  }

  private byte[] requestBody(GenerationRequest request) {
    ObjectNode body = UpstreamFailures.JSON.createObjectNode();
    if (!upstream.model.isEmpty()) {
      body.put("model", upstream.model);
    }
    ArrayNode messages = body.putArray("messages");
    for (Turn turn : request.prompt().conversation()) {
      messages.addObject().put("role", turn.role().wireName()).put("content", turn.content());
    }
    body.put("max_tokens", request.maxTokens());
    body.put("temperature", request.sampling().temperature());
    body.put("top_p", request.sampling().topP());
    request.sampling().seed().ifPresent(seed -> body.put("seed", seed));
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    try {
      return UpstreamFailures.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a chat request", e);
    }
  }

  /** Closes the pool and HTTP client if {@link #connect} made them. */
  @Override
  public void close() {
    upstream.close();
  }

  /** One request to one server. */
  private final class Attempt {
    private final Lease lease;
    private final GenerationRequest request;
    private final TokenSink sink;
    private final String requestId;
    private final byte[] body;
    private final URI url;
    private final long startNanos = System.nanoTime();
    private final StringBuilder text = new StringBuilder();
    private int chunks;
    private int promptTokens = -1;
    private int completionTokens = -1;
    private String finishReason;
    private int httpStatus;

    Attempt(Lease lease, GenerationRequest request, TokenSink sink, String requestId, byte[] body) {
      this.lease = lease;
      this.request = request;
      this.sink = sink;
      this.requestId = requestId;
      this.body = body;
      this.url = URI.create(lease.endpoint().base() + "/chat/completions");
    }

    Generation run() throws RetryElsewhere {
      long remaining = remainingNanos(request);
      if (remaining <= 0) {
        throw logged("deadline", UpstreamFailures.deadline(url));
      }
      Duration headerTimeout =
          remaining == Long.MAX_VALUE ? NO_DEADLINE_HEADER_TIMEOUT : Duration.ofNanos(remaining);
      HttpRequest post =
          upstream
              .post(url, requestId, body, headerTimeout)
              .header("Accept", "text/event-stream")
              .build();
      SseBody sse = new SseBody();
      CompletableFuture<HttpResponse<Void>> sent = upstream.http.sendAsync(post, info -> sse);
      try {
        HttpResponse<Void> response = awaitHeaders(sent, sse);
        httpStatus = response.statusCode();
        if (httpStatus != 200) {
          throw rejected(sse);
        }
        return stream(sse);
      } catch (InterruptedException e) {
        sent.cancel(true);
        sse.cancel();
        Thread.currentThread().interrupt();
        log("interrupted", null);
        return generation(FinishReason.CANCELLED);
      }
    }

    private HttpResponse<Void> awaitHeaders(CompletableFuture<HttpResponse<Void>> sent, SseBody sse)
        throws InterruptedException, RetryElsewhere {
      long remaining = remainingNanos(request);
      try {
        return remaining == Long.MAX_VALUE
            ? sent.get()
            : sent.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        sent.cancel(true);
        sse.cancel();
        throw logged("deadline", UpstreamFailures.deadline(url));
      } catch (ExecutionException e) {
        if (UpstreamFailures.isTimeout(e)) {
          throw logged("deadline", UpstreamFailures.deadline(url));
        }
        InferenceException failure = UpstreamFailures.unreachable(url, e);
        if (UpstreamFailures.isTransportFailure(e)) {
          lease.failed("POST " + url + ": " + UpstreamFailures.describe(e));
          log("unreachable", failure);
          throw new RetryElsewhere(failure);
        }
        throw logged("error", failure);
      }
    }

    /** A non-200 answer: read its error, eject or move on as the status says. */
    private RuntimeException rejected(SseBody sse) throws InterruptedException, RetryElsewhere {
      byte[] error = sse.readAll(MAX_ERROR_BODY, TimeUnit.SECONDS.toNanos(2));
      sse.cancel();
      InferenceException failure = UpstreamFailures.status(url, httpStatus, error);
      if (UpstreamFailures.ejects(httpStatus)) {
        lease.failed("POST " + url + ": HTTP " + httpStatus);
      }
      log("rejected", failure);
      if (UpstreamFailures.worthAnotherEndpoint(httpStatus)) {
        throw new RetryElsewhere(failure);
      }
      return failure;
    }

    private Generation stream(SseBody sse) throws InterruptedException {
      boolean done = false;
      while (true) {
        long remaining = remainingNanos(request);
        if (remaining <= 0) {
          sse.cancel();
          throw logged("deadline", UpstreamFailures.deadline(url));
        }
        if (done) {
          remaining = Math.min(remaining, TimeUnit.SECONDS.toNanos(1)); // let the body end
        }
        SseBody.Piece piece = sse.next(remaining == Long.MAX_VALUE ? Long.MAX_VALUE : remaining);
        switch (piece) {
          case SseBody.TimedOut timedOut -> {
            sse.cancel();
            if (done) {
              return finished(); // answered in full; the connection just did not end
            }
            throw logged("deadline", UpstreamFailures.deadline(url));
          }
          case SseBody.End end -> {
            if (done || finishReason != null) {
              return finished();
            }
            lease.failed("POST " + url + ": stream ended after " + chunks + " chunks");
            throw logged(
                "broken",
                UpstreamFailures.failure(
                    Kind.UNAVAILABLE,
                    "upstream_unavailable",
                    "upstream " + url + " ended the stream early, after " + chunks + " tokens"));
          }
          case SseBody.Failed failed -> {
            if (done) {
              return finished();
            }
            lease.failed("POST " + url + ": " + UpstreamFailures.describe(failed.error()));
            throw logged("broken", UpstreamFailures.unreachable(url, failed.error()));
          }
          case SseBody.Events events -> {
            for (String data : events.data()) {
              if (done) {
                continue;
              }
              if (data.equals("[DONE]")) {
                done = true;
                continue;
              }
              if (!onEvent(data)) {
                sse.cancel(); // the upstream sees the connection close
                log("cancelled", null);
                return generation(FinishReason.CANCELLED);
              }
            }
          }
        }
      }
    }

    /** Handles one chunk; false when the sink said stop. */
    private boolean onEvent(String data) {
      JsonNode chunk;
      try {
        chunk = UpstreamFailures.JSON.readTree(data);
      } catch (JsonProcessingException e) {
        throw logged(
            "error",
            UpstreamFailures.failure(
                Kind.UPSTREAM_FAILED,
                "upstream_error",
                "upstream " + url + " sent an event that is not JSON: " + e.getOriginalMessage()));
      }
      JsonNode error = chunk.get("error");
      if (error != null && error.isObject()) {
        throw logged("error", UpstreamFailures.streamError(url, error));
      }
      JsonNode usage = chunk.get("usage");
      if (usage != null && usage.isObject()) {
        promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
        completionTokens = usage.path("completion_tokens").asInt(completionTokens);
      }
      JsonNode choice = chunk.path("choices").path(0);
      JsonNode reason = choice.path("finish_reason");
      if (reason.isTextual()) {
        finishReason = reason.textValue();
      }
      JsonNode content = choice.path("delta").path("content");
      if (!content.isTextual() || content.textValue().isEmpty()) {
        return true;
      }
      chunks++;
      text.append(content.textValue());
      return sink.onToken(content.textValue());
    }

    private Generation finished() {
      lease.succeeded();
      FinishReason reason = "length".equals(finishReason) ? FinishReason.LENGTH : FinishReason.STOP;
      log(reason.wireName(), null);
      return generation(reason);
    }

    private Generation generation(FinishReason reason) {
      return new Generation(
          text.toString(),
          promptTokens >= 0 ? promptTokens : request.prompt().tokenCount(),
          completionTokens >= 0 ? completionTokens : chunks,
          reason);
    }

    private InferenceException logged(String outcome, InferenceException failure) {
      log(outcome, failure);
      return failure;
    }

    private void log(String outcome, InferenceException failure) {
      upstream.log(
          url, requestId, httpStatus, outcome, startNanos, " tokens_out=" + chunks, failure);
    }
  }
}
