package io.inferd.engine.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferd.engine.Embedder;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.remote.OpenAiUpstream.RetryElsewhere;
import io.inferd.engine.remote.UpstreamPool.Lease;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * An embedding model served by an OpenAI-compatible HTTP server: {@code POST {base}/embeddings}
 * with the texts as {@code input} and {@code encoding_format: float}. Vectors come back
 * L2-normalised (as the {@link Embedder} contract asks), in the order of the texts. Several servers
 * share the load through an {@link UpstreamPool}, as for {@link OpenAiUpstreamGenerator}. The
 * engine SPI gives embeddings no deadline, so each request has {@code timeout}.
 */
public final class OpenAiUpstreamEmbedder implements Embedder {

  /** The engine SPI gives embeddings no deadline: each request gets this long. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final OpenAiUpstream upstream;
  private final Duration timeout;
  private volatile int dimension;

  OpenAiUpstreamEmbedder(OpenAiUpstream upstream, Duration timeout) {
    this.upstream = upstream;
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /** With a client and pool of its own, which {@link #close()} closes. */
  public static OpenAiUpstreamEmbedder connect(
      List<URI> baseUrls, String upstreamModel, String apiKey, UpstreamPool.Settings settings) {
    return new OpenAiUpstreamEmbedder(
        OpenAiUpstream.connect(baseUrls, upstreamModel, apiKey, settings), TIMEOUT);
  }

  /** Learnt from the first answer; asks the upstream to embed one word if nothing did yet. */
  @Override
  public int dimension() {
    if (dimension == 0) {
      embed(List.of("dimension"));
    }
    return dimension;
  }

  @Override
  public Embeddings embed(List<String> texts) {
    requireNonNull(texts, "texts");
    if (texts.isEmpty()) {
      return new Embeddings(List.of(), 0);
    }
    byte[] body = requestBody(texts);
    String requestId = RequestIds.current().orElseGet(RequestIds::newId);
    return upstream.withFailover(
        lease -> attempt(lease, requestId, body, texts.size()), () -> Long.MAX_VALUE);
  }

  /** One request to one server; a server that could not be reached or was busy: the next one. */
  private Embeddings attempt(Lease lease, String requestId, byte[] body, int count)
      throws RetryElsewhere {
    URI url = URI.create(lease.endpoint().base() + "/embeddings");
    long start = System.nanoTime();
    HttpResponse<byte[]> response;
    try {
      response =
          upstream.http.send(
              upstream.post(url, requestId, body, timeout).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      if (UpstreamFailures.isTimeout(e)) {
        throw logged(url, requestId, start, 0, UpstreamFailures.deadline(url));
      }
      lease.failed("POST " + url + ": " + UpstreamFailures.describe(e));
      throw new RetryElsewhere(
          logged(url, requestId, start, 0, UpstreamFailures.unreachable(url, e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UpstreamFailures.failure(Kind.CANCELLED, null, "interrupted");
    }
    int status = response.statusCode();
    if (status != 200) {
      if (UpstreamFailures.ejects(status)) {
        lease.failed("POST " + url + ": HTTP " + status);
      }
      InferenceException failure =
          logged(
              url, requestId, start, status, UpstreamFailures.status(url, status, response.body()));
      if (UpstreamFailures.worthAnotherEndpoint(status)) {
        throw new RetryElsewhere(failure);
      }
      throw failure;
    }
    Embeddings embeddings = parse(url, response.body(), count);
    lease.succeeded();
    logged(url, requestId, start, status, null);
    return embeddings;
  }

  private byte[] requestBody(List<String> texts) {
    ObjectNode body = UpstreamFailures.JSON.createObjectNode();
    if (!upstream.model.isEmpty()) {
      body.put("model", upstream.model);
    }
    var input = body.putArray("input");
    texts.forEach(input::add);
    body.put("encoding_format", "float");
    try {
      return UpstreamFailures.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an embeddings request", e);
    }
  }

  private Embeddings parse(URI url, byte[] body, int expected) {
    JsonNode root;
    try {
      root = UpstreamFailures.JSON.readTree(body);
    } catch (IOException e) {
      throw malformed(url, "not JSON");
    }
    JsonNode data = root.path("data");
    if (!data.isArray() || data.size() != expected) {
      throw malformed(url, "expected " + expected + " embeddings in 'data'");
    }
    float[][] vectors = new float[expected][];
    for (JsonNode item : data) {
      int index = item.path("index").asInt(-1);
      JsonNode values = item.path("embedding");
      if (index < 0 || index >= expected || vectors[index] != null || !values.isArray()) {
        throw malformed(url, "data[].index and data[].embedding");
      }
      float[] vector = new float[values.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) values.get(i).asDouble();
      }
      vectors[index] = normalised(vector);
    }
    int dims = vectors[0].length;
    for (float[] vector : vectors) {
      if (vector.length != dims || dims == 0) {
        throw malformed(url, "vectors of one non-zero length");
      }
    }
    dimension = dims;
    return new Embeddings(List.of(vectors), root.path("usage").path("prompt_tokens").asInt(0));
  }

  private static float[] normalised(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += (double) v * v;
    }
    if (sum == 0) {
      return vector;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < vector.length; i++) {
      vector[i] *= scale;
    }
    return vector;
  }

  private static InferenceException malformed(URI url, String expected) {
    return UpstreamFailures.failure(
        Kind.UPSTREAM_FAILED,
        "upstream_error",
        "upstream " + url + " sent an unexpected embeddings answer (expected: " + expected + ")");
  }

  private InferenceException logged(
      URI url, String requestId, long startNanos, int status, InferenceException failure) {
    upstream.log(url, requestId, status, failure == null ? "ok" : "error", startNanos, "", failure);
    return failure;
  }

  @Override
  public void close() {
    upstream.close();
  }
}
