package io.inferd.server.interceptor;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Lets a service add response headers before its first message: it puts them into {@link
 * #current()}, and they go out with the headers grpc-java sends.
 */
public final class ResponseHeadersInterceptor implements ServerInterceptor {
  private static final Context.Key<Metadata> EXTRA = Context.key("inferd-response-headers");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Metadata extra = new Metadata();
    ServerCall<ReqT, RespT> withExtra =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            synchronized (extra) {
              responseHeaders.merge(extra);
            }
            super.sendHeaders(responseHeaders);
          }

          @Override
          public void sendMessage(RespT message) {
            delegate().sendMessage(message); // a call site of its own (see InferdServer)
          }
        };
    return Contexts.interceptCall(
        Context.current().withValue(EXTRA, extra), withExtra, headers, next);
  }

  /** Adds a header to the current call's response headers; no-op outside such a call. */
  public static void put(Metadata.Key<String> key, String value) {
    Metadata extra = EXTRA.get();
    if (extra != null) {
      synchronized (extra) {
        extra.put(key, value);
      }
    }
  }
}
