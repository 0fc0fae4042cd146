package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.inferd.engine.ModelNotFoundException;
import io.inferd.engine.ModelRegistry;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.core.Tokenization;
import io.inferd.server.telemetry.Telemetry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible REST gateway: /v1/chat/completions, /v1/embeddings and /v1/models over the
 * same core (and API keys) as gRPC, plus /health for load balancers. Helidon SE runs each request
 * on a virtual thread, so handlers block plainly. HTTP/1.1 with keep-alive, and HTTP/1.0 ({@link
 * Http10Selector}); no HTTP/2: Helidon's HTTP/2 does not let a handler see a client's stream reset,
 * and a stream nobody reads must stop its engine (h2c upgrade requests are answered in HTTP/1.1).
 * Stopping the gateway does not close the core, which the gRPC server shares.
 */
public final class RestGateway {
  private static final Logger log = LoggerFactory.getLogger(RestGateway.class);
  private static final long MAX_BODY_BYTES = 32L << 20;
  private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(2);

  private final InferenceCore core;
  private final CallGuard guard;
  private final Clock clock;
  private final Duration streamIdleTimeout;
  private final ListenerSettings listener;
  private final RequestReadWatch requestReadWatch;
  private final List<WebServer> replaced = new ArrayList<>();
  private volatile Consumer<Boolean> onListenerChange = up -> {};
  private ListenerWatchdog watchdog;
  private volatile WebServer server;
  private volatile int port = -1;
  private volatile long startedEpochSecond;

  public RestGateway(InferenceCore core, ApiKeyStore keys, Telemetry telemetry) {
    this(core, keys, RateLimiter.off(), telemetry);
  }

  public RestGateway(
      InferenceCore core, ApiKeyStore keys, RateLimiter rateLimiter, Telemetry telemetry) {
    this(core, keys, rateLimiter, telemetry, Duration.ofSeconds(60));
  }

  /** {@code streamIdleTimeout}: an SSE stream whose client reads nothing for this long is ended. */
  public RestGateway(
      InferenceCore core,
      ApiKeyStore keys,
      RateLimiter rateLimiter,
      Telemetry telemetry,
      Duration streamIdleTimeout) {
    this(core, keys, rateLimiter, telemetry, streamIdleTimeout, ListenerSettings.defaults());
  }

  /** {@code listener}: timeouts, connection limits and TLS of the port. */
  public RestGateway(
      InferenceCore core,
      ApiKeyStore keys,
      RateLimiter rateLimiter,
      Telemetry telemetry,
      Duration streamIdleTimeout,
      ListenerSettings listener) {
    this.listener = requireNonNull(listener, "listener");
    this.core = requireNonNull(core, "core");
    this.guard = new CallGuard(keys, rateLimiter, telemetry);
    this.clock = Clock.systemUTC();
    this.streamIdleTimeout = requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    this.requestReadWatch = new RequestReadWatch(listener.requestTimeout());
  }

  /**
   * Starts listening on {@code host:port} (port 0 picks a free one).
   *
   * @throws BindException when the port is taken
   */
  public synchronized RestGateway start(String host, int port) throws IOException {
    requireNonNull(host, "host");
    if (this.port != -1) {
      throw new IllegalStateException("a gateway starts once");
    }
    startedEpochSecond = clock.instant().getEpochSecond();
    WebServer started = listen(host, port);
    if (!started.isRunning()) {
      throw startFailure(host, port); // Helidon logs the failure and returns a stopped server
    }
    server = started;
    this.port = started.port();
    watchdog =
        new ListenerWatchdog(
            host,
            this.port,
            WATCHDOG_PERIOD,
            () -> relisten(host),
            up -> onListenerChange.accept(up));
    return this;
  }

  /** Told false when the listener died (it is being restarted) and true when it listens again. */
  public void onListenerChange(Consumer<Boolean> onChange) {
    this.onListenerChange = requireNonNull(onChange, "onChange");
  }

  /** Whether the port speaks TLS. */
  public boolean secure() {
    return listener.secure();
  }

  private WebServer listen(String host, int port) {
    var web =
        WebServer.builder()
            .host(host)
            .port(port)
            .shutdownHook(false) // inferd's own shutdown drains and stops the gateway
            .maxPayloadSize(MAX_BODY_BYTES)
            .directHandlers(
                handlers ->
                    handlers.addHandler(
                        DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED,
                        RestGateway::http10NotSupported))
            // Byte sockets, so that a blocked handler can see its client leave
            // (RequestReadWatch.clientGone); with TLS through ByteSocketTls, which keeps client
            // authentication (Helidon 4.5 layers byte TLS sockets without the listener's
            // SSLParameters).
            .useNio(false)
            .protocolsDiscoverServices(false)
            // HTTP/1.1, and HTTP/1.0 adapted to it (Helidon 4.x refuses HTTP/1.0)
            .addConnectionSelector(
                new Http10Selector(
                    Http1Config.builder().addReceiveListener(requestReadWatch).build()))
            .routing(this::routes);
    listener.applyTo(web);
    if (listener.secure()) {
      web.tls(ByteSocketTls.of(listener.tls()));
    }
    return web.build().start();
  }

  /**
   * Helidon refuses HTTP/1.0 in its request-line parser. {@link Http10Selector} serves connections
   * that begin in HTTP/1.0; an HTTP/1.0 request on a connection that began in HTTP/1.1 still meets
   * Helidon's refusal, which says here what to do, in the gateway's error shape, and closes.
   */
  private static DirectHandler.TransportResponse http10NotSupported(
      DirectHandler.TransportRequest request,
      DirectHandler.EventType event,
      Status status,
      ServerResponseHeaders headers,
      String message) {
    HttpErrors.HttpError error =
        new HttpErrors.HttpError(
            505,
            "invalid_request_error",
            "http_version_not_supported",
            null,
            "HTTP/1.0 after HTTP/1.1 on one connection is not supported: open a new connection"
                + " for HTTP/1.0 requests",
            -1);
    return DirectHandler.TransportResponse.builder()
        .status(Status.HTTP_VERSION_NOT_SUPPORTED_505)
        .header(HeaderNames.CONTENT_TYPE, "application/json")
        .keepAlive(false)
        .entity(Json.text(error.body()))
        .build();
  }

  /** A new listener on the same port, after the old one stopped accepting. */
  private synchronized boolean relisten(String host) {
    if (server == null) {
      return true; // stopping
    }
    WebServer fresh = listen(host, port);
    if (!fresh.isRunning()) {
      return false;
    }
    replaced.add(server); // its open connections may still finish their calls
    server = fresh;
    return true;
  }

  /** The port listened on (also after stop), or -1 before start. */
  public int port() {
    return port;
  }

  /**
   * Graceful stop: /health turns 503 and new calls get 503 at once, calls in progress get {@code
   * grace} to finish and are then ended (queued work leaves the queue, streams get a shutting_down
   * error event), with {@code endTimeout} to leave before the listener closes.
   */
  public synchronized void stop(Duration grace, Duration endTimeout) {
    WebServer current = server;
    if (current == null) {
      return;
    }
    server = null;
    watchdog.close();
    guard.drain();
    try {
      if (!guard.awaitIdle(grace)) {
        log.warn(
            "REST calls still running after the {} ms grace period; ending them", grace.toMillis());
        guard.abortAll();
        guard.awaitIdle(endTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      guard.abortAll();
    }
    current.stop();
    replaced.forEach(WebServer::stop);
    requestReadWatch.close();
  }

  /** {@link #stop(Duration, Duration)} with five seconds for the calls it ends to leave. */
  public void stop(Duration grace) {
    stop(grace, Duration.ofSeconds(5));
  }

  /** Why Helidon could not listen: a port in use is worth telling apart (inferd serve exits 4). */
  private static IOException startFailure(String host, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) { // BindException for a port in use
      return e;
    }
    return new IOException(
        "REST gateway could not listen on " + host + ":" + port + "; see the log");
  }

  private void routes(HttpRouting.Builder routing) {
    var services = new CompletionServices(core, clock, streamIdleTimeout);
    Endpoint chat = new ChatCompletions(services);
    Endpoint embeddings = new Embeddings(core);
    Endpoint completions = new Completions(services);
    TokenizeEndpoints tokens = new TokenizeEndpoints(new Tokenization(core.models()));
    routing
        .addFilter(RestGateway::closeWhenAsked)
        .get("/health", (req, res) -> health(res))
        .post("/v1/chat/completions", guard.guard("POST /v1/chat/completions", chat))
        .post("/v1/completions", guard.guard("POST /v1/completions", completions))
        .post("/v1/embeddings", guard.guard("POST /v1/embeddings", embeddings))
        .post("/tokenize", guard.guard("POST /tokenize", tokens.tokenize()))
        .post("/detokenize", guard.guard("POST /detokenize", tokens.detokenize()))
        .get("/v1/models", guard.guard("GET /v1/models", (req, res, call) -> models(res)))
        .get(
            "/v1/models/{id}",
            guard.guard(
                "GET /v1/models/{id}",
                (req, res, call) -> model(res, req.path().pathParameters().get("id"))))
        .any("/v1/chat/completions", methodNotAllowed("POST"))
        .any("/v1/completions", methodNotAllowed("POST"))
        .any("/v1/embeddings", methodNotAllowed("POST"))
        .any("/tokenize", methodNotAllowed("POST"))
        .any("/detokenize", methodNotAllowed("POST"))
        .any("/v1/models", methodNotAllowed("GET"))
        .any("/v1/models/{id}", methodNotAllowed("GET"))
        .any("/health", methodNotAllowed("GET"))
        .any((req, res) -> HttpErrors.send(res, HttpErrors.notFound(req.path().path())));
  }

  /**
   * A request with {@code Connection: close} gets its response, then the socket closes (Helidon 4.5
   * answers with the header but keeps reading the connection).
   */
  private static void closeWhenAsked(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    chain.proceed();
    if (req.content().consumed()) {
      RequestReadWatch.bodyRead(); // a handler that read the body some other way
    }
    if (req.headers().contains(HeaderValues.CONNECTION_CLOSE) && res.isSent()) {
      throw new CloseConnectionException("the client sent Connection: close");
    }
  }

  private void health(ServerResponse res) {
    boolean serving = !guard.draining();
    res.status(serving ? 200 : 503);
    Json.send(
        res, Json.MAPPER.createObjectNode().put("status", serving ? "SERVING" : "NOT_SERVING"));
  }

  private String models(ServerResponse res) {
    Json.send(res, OpenAiJson.models(modelNames(), startedEpochSecond));
    return "200";
  }

  private String model(ServerResponse res, String id) {
    if (!modelNames().contains(id)) {
      throw new ModelNotFoundException("served", id, modelNames());
    }
    Json.send(res, OpenAiJson.model(id, startedEpochSecond));
    return "200";
  }

  private List<String> modelNames() {
    ModelRegistry models = core.models();
    List<String> names = new ArrayList<>(models.generatorNames());
    names.addAll(models.embedderNames());
    return names;
  }

  private static Handler methodNotAllowed(String allowed) {
    return (req, res) -> {
      res.header("Allow", allowed);
      HttpErrors.send(
          res,
          HttpErrors.methodNotAllowed(req.prologue().method().text(), req.path().path(), allowed));
    };
  }
}
