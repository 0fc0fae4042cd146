package io.inferd.server.interceptor;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Access log, metrics and tracing for gRPC: starts a {@link CallStats} (in the {@link Context},
 * where the service adds tokens) whose span continues the caller's W3C {@code traceparent}, and
 * reports it once, with the final code, when the call closes. Wire it outermost so rejected calls
 * are recorded too.
 */
public final class TelemetryInterceptor implements ServerInterceptor {
  public static final Context.Key<CallStats> STATS = Context.key("inferd-call-stats");

  private final Telemetry telemetry;
  private volatile Peer lastPeer = new Peer(null, null);

  public TelemetryInterceptor(Telemetry telemetry) {
    this.telemetry = requireNonNull(telemetry, "telemetry");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    CallStats stats =
        telemetry.start(
            "grpc",
            call.getMethodDescriptor().getBareMethodName(),
            peerText(peer),
            Tracing.remoteParent(headers, METADATA),
            call.getMethodDescriptor().getFullMethodName());
    AtomicBoolean reported = new AtomicBoolean();
    ServerCall<ReqT, RespT> recorded =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(RespT message) {
            delegate().sendMessage(message); // a call site of its own (see InferdServer)
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (reported.compareAndSet(false, true)) {
              telemetry.finish(stats, status.getCode().name());
            }
            super.close(status, trailers);
          }
        };
    Context context = Context.current().withValue(STATS, stats);
    ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, recorded, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        // The service's cancel handlers first, so that a call counted as finished has stopped its
        // writer. A cancelled call never reaches close(): the client left or its deadline passed.
        try {
          super.onCancel();
        } finally {
          if (reported.compareAndSet(false, true)) {
            boolean expired = context.getDeadline() != null && context.getDeadline().isExpired();
            telemetry.finish(
                stats,
                expired ? Status.Code.DEADLINE_EXCEEDED.name() : Status.Code.CANCELLED.name());
          }
        }
      }
    };
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

  /** The current call's stats, or a detached one when the call runs without this interceptor. */
  public static CallStats current() {
    CallStats stats = STATS.get();
    return stats != null ? stats : new CallStats("grpc", "-", null, System.nanoTime());
  }
}
