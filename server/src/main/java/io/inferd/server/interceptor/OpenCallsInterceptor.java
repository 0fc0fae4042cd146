package io.inferd.server.interceptor;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows the calls in progress, so that a stop can end those still open after its grace with a
 * status of its choosing (UNAVAILABLE: the client may retry elsewhere) rather than the CANCELLED a
 * transport's {@code shutdownNow()} leaves clients with.
 *
 * <p>An ended call looks cancelled to the service (its writers stop, its cancel handlers run and
 * stop the engine work), and what the service still writes to it is dropped. Placed inside the
 * telemetry interceptor, so that the access log records the status the client got.
 */
public final class OpenCallsInterceptor implements ServerInterceptor {
  private final Set<EndableCall<?, ?>> open = ConcurrentHashMap.newKeySet();

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    var endable = new EndableCall<>(call);
    open.add(endable);
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(endable, headers);
    } catch (RuntimeException e) {
      open.remove(endable);
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        open.remove(endable);
        if (endable.ended()) {
          super.onCancel(); // for the service, a call ended from outside is a cancelled one
        } else {
          super.onComplete();
        }
      }

      @Override
      public void onCancel() {
        open.remove(endable);
        super.onCancel();
      }
    };
  }

  /** Calls not yet finished. */
  public int openCalls() {
    return open.size();
  }

  /** Closes every call still open with {@code status}; returns how many it ended. */
  public int endAll(Status status) {
    requireNonNull(status, "status");
    int ended = 0;
    for (EndableCall<?, ?> call : open) {
      if (call.end(status)) {
        ended++;
      }
    }
    return ended;
  }

  /** A call that can be closed from outside while the service may still be writing to it. */
  private static final class EndableCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private boolean closed; // guarded by this
    private volatile boolean ended;

    EndableCall(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
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
      super.close(status, new Metadata());
      return true;
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!ended) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(RespT message) {
      if (!ended) {
        delegate().sendMessage(message); // a call site of its own (see InferdServer)
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (ended) {
        return;
      }
      closed = true;
      super.close(status, trailers);
    }

    @Override
    public boolean isReady() {
      return !ended && super.isReady();
    }

    @Override
    public boolean isCancelled() {
      return ended || super.isCancelled();
    }
  }
}
