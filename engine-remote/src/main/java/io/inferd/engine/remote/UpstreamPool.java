package io.inferd.engine.remote;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP servers (base URLs such as {@code http://h1:8080/v1}) behind one upstream model, and
 * which one the next request goes to.
 *
 * <ul>
 *   <li><b>Least outstanding requests</b>: the endpoint with the fewest requests in flight from
 *       this pool wins; ties go round the endpoints in turn, so light traffic still spreads.
 *   <li><b>Passive ejection</b>: a request that fails to connect or gets a 5xx {@link
 *       Lease#failed(String) ejects} its endpoint for a back-off period: {@code baseEjection},
 *       doubling with each ejection in a row up to {@code maxEjection}. Ejected endpoints get no
 *       requests while another is in service.
 *   <li><b>Re-probing</b>: every {@code probeInterval}, each ejected endpoint whose back-off is
 *       over gets {@code GET {base}/models}; any answer below 500 (401 too: the server is up) puts
 *       it back in service, anything else ejects it again for the next, longer back-off. A request
 *       that then succeeds on it resets the back-off.
 *   <li><b>Panic routing</b>: when every endpoint is ejected, requests go to the one whose back-off
 *       ends first rather than failing unsent, as Envoy does below its panic threshold.
 * </ul>
 *
 * Thread-safe.
 */
public final class UpstreamPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);

  /** Ejection and probing timings. */
  public record Settings(
      Duration baseEjection, Duration maxEjection, Duration probeInterval, Duration probeTimeout) {
    public Settings {
      requireNonNull(baseEjection, "baseEjection");
      requireNonNull(maxEjection, "maxEjection");
      requireNonNull(probeInterval, "probeInterval");
      requireNonNull(probeTimeout, "probeTimeout");
      if (baseEjection.isNegative() || baseEjection.isZero()) {
        throw new IllegalArgumentException("baseEjection: " + baseEjection + " (expected: > 0)");
      }
      if (maxEjection.compareTo(baseEjection) < 0) {
        throw new IllegalArgumentException(
            "maxEjection: " + maxEjection + " (expected: >= baseEjection " + baseEjection + ")");
      }
      if (probeInterval.isNegative() || probeInterval.isZero()) {
        throw new IllegalArgumentException("probeInterval: " + probeInterval + " (expected: > 0)");
      }
    }

    /** Ejected for 1 s, doubling up to 30 s; probed every second once the back-off is over. */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2));
    }
  }

  private final List<Endpoint> endpoints;
  private final HttpClient http;
  private final String apiKey;
  private final Settings settings;
  private final AtomicInteger turn = new AtomicInteger();
  private final ScheduledExecutorService prober;

  /**
   * @param baseUrls at least one, each up to and including the API version, e.g. {@code
   *     http://h1:8080/v1}
   * @param apiKey sent as {@code Authorization: Bearer} on probes; null for none
   */
  public UpstreamPool(List<URI> baseUrls, HttpClient http, String apiKey, Settings settings) {
    requireNonNull(baseUrls, "baseUrls");
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("baseUrls: empty (expected: at least one URL)");
    }
    List<Endpoint> list = new ArrayList<>();
    for (URI url : baseUrls) {
      list.add(new Endpoint(withoutTrailingSlash(requireNonNull(url, "baseUrl"))));
    }
    this.endpoints = List.copyOf(list);
    this.http = requireNonNull(http, "http");
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    this.settings = requireNonNull(settings, "settings");
    this.prober =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "inferd-upstream-probe");
              thread.setDaemon(true);
              return thread;
            });
    long every = settings.probeInterval().toNanos();
    prober.scheduleWithFixedDelay(this::probeEjected, every, every, TimeUnit.NANOSECONDS);
  }

  private static URI withoutTrailingSlash(URI url) {
    String text = url.toString();
    return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : url;
  }

  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /**
   * Takes the best endpoint not in {@code exclude} (those a request has already tried) and counts
   * the request against it until the lease is closed; empty when every endpoint is excluded.
   */
  public Optional<Lease> acquire(Collection<Endpoint> exclude) {
    requireNonNull(exclude, "exclude");
    Endpoint chosen;
    synchronized (this) {
      chosen = pick(exclude, false);
      if (chosen == null) {
        chosen = pick(exclude, true); // panic: everything left is ejected
      }
      if (chosen == null) {
        return Optional.empty();
      }
      chosen.outstanding.incrementAndGet();
    }
    return Optional.of(new Lease(chosen));
  }

  private Endpoint pick(Collection<Endpoint> exclude, boolean panic) {
    int n = endpoints.size();
    int start = Math.floorMod(turn.getAndIncrement(), n);
    Endpoint best = null;
    for (int i = 0; i < n; i++) {
      Endpoint candidate = endpoints.get((start + i) % n);
      if (exclude.contains(candidate) || candidate.ejected != panic) {
        continue;
      }
      if (best == null || better(candidate, best, panic)) {
        best = candidate;
      }
    }
    return best;
  }

  private static boolean better(Endpoint candidate, Endpoint best, boolean panic) {
    if (panic && candidate.ejectedUntilNanos != best.ejectedUntilNanos) {
      return candidate.ejectedUntilNanos - best.ejectedUntilNanos < 0;
    }
    return candidate.outstanding.get() < best.outstanding.get();
  }

  /** Takes {@code endpoint} out of service for its next back-off period (no-op if already out). */
  void eject(Endpoint endpoint, String why) {
    Duration backOff;
    synchronized (this) {
      if (endpoint.ejected) {
        return;
      }
      backOff = nextBackOff(endpoint);
      endpoint.ejected = true;
    }
    log.warn("upstream {} ejected for {} ms: {}", endpoint.base, backOff.toMillis(), why);
  }

  private Duration nextBackOff(Endpoint endpoint) {
    int shift = Math.min(endpoint.ejections, 20);
    long nanos = settings.baseEjection().toNanos() << shift;
    if (nanos <= 0 || nanos > settings.maxEjection().toNanos()) {
      nanos = settings.maxEjection().toNanos();
    }
    endpoint.ejections++;
    endpoint.ejectedUntilNanos = System.nanoTime() + nanos;
    return Duration.ofNanos(nanos);
  }

  private void succeeded(Endpoint endpoint) {
    boolean reinstated;
    synchronized (this) {
      reinstated = endpoint.ejected;
      endpoint.ejected = false;
      endpoint.ejections = 0;
    }
    if (reinstated) {
      log.info("upstream {} back in service: a request succeeded", endpoint.base);
    }
  }

  private void probeEjected() {
    long now = System.nanoTime();
    for (Endpoint endpoint : endpoints) {
      boolean due;
      synchronized (this) {
        due = endpoint.ejected && now - endpoint.ejectedUntilNanos >= 0;
      }
      if (due && endpoint.probing.compareAndSet(false, true)) {
        probe(endpoint);
      }
    }
  }

  private void probe(Endpoint endpoint) {
    URI url = URI.create(endpoint.base + "/models");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).GET().timeout(settings.probeTimeout());
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              try {
                if (error == null && response.statusCode() < 500) {
                  reinstate(endpoint, "GET " + url + ": " + response.statusCode());
                } else {
                  String why =
                      error != null
                          ? UpstreamFailures.describe(error)
                          : "HTTP " + response.statusCode();
                  Duration backOff;
                  synchronized (this) {
                    backOff = endpoint.ejected ? nextBackOff(endpoint) : Duration.ZERO;
                  }
                  log.debug(
                      "upstream {} still out for {} ms: probe GET {}: {}",
                      endpoint.base,
                      backOff.toMillis(),
                      url,
                      why);
                }
              } finally {
                endpoint.probing.set(false);
              }
            });
  }

  private void reinstate(Endpoint endpoint, String why) {
    synchronized (this) {
      if (!endpoint.ejected) {
        return;
      }
      endpoint.ejected = false; // the back-off count stays until a request succeeds
    }
    log.info("upstream {} back in service: probe {}", endpoint.base, why);
  }

  /** Stops probing. The HTTP client belongs to the caller. */
  @Override
  public void close() {
    prober.shutdownNow();
  }

  /** One upstream server. */
  public static final class Endpoint {
    private final URI base;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean ejected; // written under the pool's lock
    // guarded by the pool
    private int ejections;
    private long ejectedUntilNanos;

    private Endpoint(URI base) {
      this.base = base;
    }

    /** The base URL, e.g. {@code http://h1:8080/v1} (no trailing slash). */
    public URI base() {
      return base;
    }

    /** Requests in flight to it through this pool. */
    public int outstanding() {
      return outstanding.get();
    }

    /** Whether it is out of service now. */
    public boolean ejected() {
      return ejected;
    }

    @Override
    public String toString() {
      return base.toString();
    }
  }

  /** A request's hold on an endpoint; close it when the request ends. */
  public final class Lease implements AutoCloseable {
    private final Endpoint endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lease(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
      return endpoint;
    }

    /** The endpoint answered properly: back in service if it was out, back-off reset. */
    public void succeeded() {
      UpstreamPool.this.succeeded(endpoint);
    }

    /** The endpoint could not be reached or answered 5xx: eject it. */
    public void failed(String why) {
      eject(endpoint, why);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        endpoint.outstanding.decrementAndGet();
      }
    }
  }
}
