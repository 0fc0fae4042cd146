package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.auth.Credentials;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.core.ShuttingDownException;
import io.inferd.server.telemetry.CallStats;
import io.inferd.server.telemetry.Telemetry;
import io.inferd.server.telemetry.Tracing;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every /v1 call goes through: telemetry from start to one final record (its span continuing
 * the caller's {@code traceparent}), refusal while the gateway drains, API-key authentication, and
 * error answers through {@link HttpErrors}. It also knows the calls in progress, so that stopping
 * can wait for them and then end them.
 */
final class CallGuard {
  private static final HeaderName API_KEY = HeaderNames.create(Credentials.API_KEY_HEADER);

  /** The caller's W3C traceparent and tracestate headers. */
  private static final TextMapGetter<ServerRequest> TRACE_HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequest carrier) {
          return carrier.headers().stream().map(h -> h.name()).toList();
        }

        @Override
        public String get(ServerRequest carrier, String key) {
          return carrier == null
              ? null
              : carrier.headers().first(HeaderNames.create(key)).orElse(null);
        }
      };

  private final ApiKeyStore keys;
  private final RateLimiter rateLimiter;
  private final Telemetry telemetry;
  private final Set<RestCall> active = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  CallGuard(ApiKeyStore keys, RateLimiter rateLimiter, Telemetry telemetry) {
    this.keys = requireNonNull(keys, "keys");
    this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
    this.telemetry = requireNonNull(telemetry, "telemetry");
  }

  /** A Helidon handler running {@code endpoint} for calls recorded as {@code method}. */
  Handler guard(String method, Endpoint endpoint) {
    return (req, res) -> {
      CallStats stats =
          telemetry.start(
              "rest", method, peer(req), Tracing.remoteParent(req, TRACE_HEADERS), method);
      RestCall call = new RestCall(stats);
      active.add(call);
      String status = "500";
      try {
        if (draining) {
          throw new ShuttingDownException();
        }
        String keyId = authenticate(req, stats);
        RequestBodyErrors.requireJson(req);
        // the same buckets as gRPC's: by key id, or by client address without auth
        rateLimiter.acquire(keyId != null ? "key:" + keyId : "ip:" + clientAddress(req));
        status = endpoint.serve(req, res, call);
      } catch (Exception e) {
        status = HttpErrors.send(res, HttpErrors.of(e));
      } finally {
        remove(call);
        telemetry.finish(stats, status);
      }
    };
  }

  /** The caller's key id, or null when auth is off. */
  private String authenticate(ServerRequest req, CallStats stats) {
    if (!keys.enabled()) {
      return null;
    }
    String presented =
        Credentials.presentedKey(
            req.headers().first(API_KEY).orElse(null),
            req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    String keyId =
        keys.authenticate(presented)
            .orElseThrow(() -> new UnauthenticatedException(Credentials.failureMessage(presented)));
    stats.keyId(keyId);
    return keyId;
  }

  private static String clientAddress(ServerRequest req) {
    return req.remotePeer().address() instanceof InetSocketAddress inet
        ? inet.getAddress().getHostAddress()
        : "?";
  }

  private static String peer(ServerRequest req) {
    return req.remotePeer().address().toString(); // as the gRPC side writes it: /127.0.0.1:5000
  }

  boolean draining() {
    return draining;
  }

  /** From now on new calls get 503. */
  void drain() {
    draining = true;
  }

  /** Waits until no call is in progress; returns false if some still are after {@code timeout}. */
  synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!active.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Ends every call in progress; streams get an error event, waiting calls a 503. */
  void abortAll() {
    active.forEach(RestCall::abort);
  }

  private synchronized void remove(RestCall call) {
    active.remove(call);
    notifyAll();
  }
}
