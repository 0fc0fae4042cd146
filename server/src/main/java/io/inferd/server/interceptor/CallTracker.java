package io.inferd.server.interceptor;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.inferd.server.telemetry.CallStats;
import io.inferd.server.telemetry.Telemetry;
import io.inferd.server.telemetry.Tracing;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What inferd keeps of every call, from its start to the status its client got:
 *
 * <ul>
 *   <li>its {@link CallStats} (access log, metrics, a span continuing the caller's W3C {@code
 *       traceparent}), reported once with the final code;
 *   <li>that it is open, so that a stop can end the calls still running after its grace with a
 *       status of its choosing (UNAVAILABLE: the client may retry elsewhere) rather than the
 *       CANCELLED a transport's {@code shutdownNow()} leaves clients with;
 *   <li>response headers the service adds before its first message ({@link #putResponseHeader}).
 * </ul>
 *
 * <p>One interceptor rather than three: each layer costs every call a wrapper, a listener and a
 * context attached around each callback, and the three share the call's life. Wire it outermost, so
 * that rejected calls are recorded too.
 */
public final class CallTracker implements ServerInterceptor {
  private static final Context.Key<TrackedCall<?, ?>> CALL = Context.key("inferd-call");

  private final Telemetry telemetry;
  private final Set<TrackedCall<?, ?>> open = ConcurrentHashMap.newKeySet();
  private volatile Peer lastPeer = new Peer(null, null);

  public CallTracker(Telemetry telemetry) {
    this.telemetry = requireNonNull(telemetry, "telemetry");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    CallStats stats =
        telemetry.start(
            "grpc",
            call.getMethodDescriptor().getBareMethodName(),
            peerText(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)),
            Tracing.remoteParent(headers, METADATA),
            call.getMethodDescriptor().getFullMethodName());
    var tracked = new TrackedCall<>(call, stats, telemetry);
    Context context = Context.current().withValue(CALL, tracked);
    open.add(tracked);
    Context previous = context.attach();
    try {
      return new TrackedListener<>(next.startCall(tracked, headers), tracked, context, open);
    } catch (RuntimeException e) {
      open.remove(tracked);
      tracked.report(Status.fromThrowable(e).getCode()); // grpc-java closes the stream itself
      throw e;
    } finally {
      context.detach(previous);
    }
  }

  /** Calls not yet finished. */
  public int openCalls() {
    return open.size();
  }

  /** Closes every call still open with {@code status}; returns how many it ended. */
  public int endAll(Status status) {
    requireNonNull(status, "status");
    int ended = 0;
    for (TrackedCall<?, ?> call : open) {
      if (call.end(status)) {
        ended++;
      }
    }
    return ended;
  }

  /** The current call's stats, or a detached one when the call runs without this interceptor. */
  public static CallStats stats() {
    TrackedCall<?, ?> call = CALL.get();
    return call != null ? call.stats : new CallStats("grpc", "-", null, System.nanoTime());
  }

  /** Adds a header to the current call's response headers; no-op outside such a call. */
  public static void putResponseHeader(Metadata.Key<String> key, String value) {
    TrackedCall<?, ?> call = CALL.get();
    if (call != null) {
      call.putHeader(key, value);
    }
  }

  /**
   * The call as the service sees it. It can be ended from outside while the service may still be
   * writing to it: what the service writes after that is dropped, and to the service the call looks
   * cancelled (its writers stop, its cancel handlers run and stop the engine work).
   */
  private static final class TrackedCall<ReqT, RespT>
      extends SimpleForwardingServerCall<ReqT, RespT> {
    final CallStats stats;
    private final Telemetry telemetry;
    private Metadata extraHeaders; // guarded by this; made by the first header put
    private boolean closed; // guarded by this
    private boolean reported; // guarded by this
    private volatile boolean ended;

    TrackedCall(ServerCall<ReqT, RespT> delegate, CallStats stats, Telemetry telemetry) {
      super(delegate);
      this.stats = stats;
      this.telemetry = telemetry;
    }

    synchronized void putHeader(Metadata.Key<String> key, String value) {
      if (extraHeaders == null) {
        extraHeaders = new Metadata();
      }
      extraHeaders.put(key, value);
    }

    /** Reports the call once: the first status wins, later ones are what the client did not get. */
    synchronized void report(Status.Code code) {
      if (!reported) {
        reported = true;
        telemetry.finish(stats, code.name());
      }
    }

    /** A cancelled call never reaches close(): its client left or its deadline passed. */
    void reportCancelled(Context context) {
      boolean expired = context.getDeadline() != null && context.getDeadline().isExpired();
      report(expired ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED);
    }

    boolean ended() {
      return ended;
    }

    synchronized boolean end(Status status) {
      if (closed) {
        return false;
      }
      closed = true;
      ended = true;
      report(status.getCode());
      delegate().close(status, new Metadata());
      return true;
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (ended) {
        return;
      }
      if (extraHeaders != null) {
        headers.merge(extraHeaders);
      }
      delegate().sendHeaders(headers);
    }

    @Override
    public synchronized void sendMessage(RespT message) {
      if (!ended) {
        delegate().sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (ended) {
        return;
      }
      closed = true;
      report(status.getCode());
      delegate().close(status, trailers);
    }

    @Override
    public boolean isReady() {
      return !ended && delegate().isReady();
    }

    @Override
    public boolean isCancelled() {
      return ended || delegate().isCancelled();
    }
  }

  /**
   * Runs the service's callbacks with the call's context attached (as {@code
   * Contexts.interceptCall} would), and takes the call off the open set when it finishes.
   */
  private static final class TrackedListener<ReqT> extends ServerCall.Listener<ReqT> {
    private final ServerCall.Listener<ReqT> delegate;
    private final TrackedCall<ReqT, ?> call;
    private final Context context;
    private final Set<TrackedCall<?, ?>> open;

    TrackedListener(
        ServerCall.Listener<ReqT> delegate,
        TrackedCall<ReqT, ?> call,
        Context context,
        Set<TrackedCall<?, ?>> open) {
      this.delegate = delegate;
      this.call = call;
      this.context = context;
      this.open = open;
    }

    @Override
    public void onMessage(ReqT message) {
      Context previous = context.attach();
      try {
        delegate.onMessage(message);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onHalfClose() {
      Context previous = context.attach();
      try {
        delegate.onHalfClose();
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onReady() {
      Context previous = context.attach();
      try {
        delegate.onReady();
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onComplete() {
      open.remove(call);
      Context previous = context.attach();
      try {
        if (call.ended()) {
          delegate.onCancel(); // for the service, a call ended from outside is a cancelled one
        } else {
          delegate.onComplete();
        }
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onCancel() {
      open.remove(call);
      // The service's cancel handlers first, so that a call counted as finished has stopped its
      // writer.
      Context previous = context.attach();
      try {
        delegate.onCancel();
      } finally {
        context.detach(previous);
        call.reportCancelled(context);
      }
    }
  }

  /** A remote address and its text: a connection's calls share one address object. */
  private record Peer(SocketAddress address, String text) {}

  /** The peer as text, made once per connection while its calls come in a row. */
  private String peerText(SocketAddress address) {
    if (address == null) {
      return null;
    }
    Peer last = lastPeer;
    if (last.address() != address) {
      last = new Peer(address, address.toString());
      lastPeer = last;
    }
    return last.text();
  }

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  /** Reads traceparent and tracestate; the propagator asks for nothing else. */
  private static final TextMapGetter<Metadata> METADATA =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
          if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return null;
          }
          Metadata.Key<String> known =
              key.equals(TRACEPARENT.name())
                  ? TRACEPARENT
                  : key.equals(TRACESTATE.name()) ? TRACESTATE : null;
          return carrier.get(
              known != null ? known : Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
      };
}
