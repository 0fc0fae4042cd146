package io.inferd.server.interceptor;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Answers a request that is not valid protobuf (or not valid UTF-8 in a string field) with
 * INVALID_ARGUMENT instead of grpc-java's UNKNOWN. It works on a service wrapped by {@link
 * RequestsAsBytes} (as {@code InferdServer} wires it), where requests are parsed inside {@code
 * onMessage}, and must be the innermost interceptor so that the parse happens within its listener.
 */
public final class MalformedRequestInterceptor implements ServerInterceptor {

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean rejected;

      @Override
      public void onMessage(ReqT message) {
        if (rejected) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          InvalidProtocolBufferException parseError = parseError(e);
          if (parseError == null) {
            throw e;
          }
          rejected = true;
          call.close(
              Status.INVALID_ARGUMENT.withDescription(
                  "malformed request: not a valid "
                      + call.getMethodDescriptor().getFullMethodName()
                      + " request message ("
                      + parseError.getMessage()
                      + ")"),
              new Metadata());
        }
      }

      @Override
      public void onHalfClose() {
        if (!rejected) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!rejected) {
          super.onReady();
        }
      }
    };
  }

  private static InvalidProtocolBufferException parseError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidProtocolBufferException invalid) {
        return invalid;
      }
    }
    return null;
  }
}
