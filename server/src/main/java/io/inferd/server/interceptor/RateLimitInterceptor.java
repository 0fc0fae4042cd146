package io.inferd.server.interceptor;

import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.inferd.server.core.RateLimiter;
import io.inferd.server.core.RateLimiter.RateLimitedException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Per-caller request rate: the caller is the API key id the {@link AuthInterceptor} found, or the
 * peer's address when auth is off. Over the rate: RESOURCE_EXHAUSTED with a retry hint. Wire it
 * after auth, and only when the limiter is on (off, it would still work out each caller).
 */
public final class RateLimitInterceptor implements ServerInterceptor {
  private static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final RateLimiter limiter;

  public RateLimitInterceptor(RateLimiter limiter) {
    this.limiter = requireNonNull(limiter, "limiter");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    try {
      limiter.acquire(caller(call));
    } catch (RateLimitedException e) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK, Long.toString(e.retryAfterMillis()));
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()), trailers);
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private static String caller(ServerCall<?, ?> call) {
    String keyId = AuthInterceptor.KEY_ID.get();
    if (keyId != null) {
      return "key:" + keyId;
    }
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return peer instanceof InetSocketAddress inet
        ? "ip:" + inet.getAddress().getHostAddress()
        : "ip:?";
  }
}
