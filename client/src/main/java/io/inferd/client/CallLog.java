package io.inferd.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one DEBUG line per call with its final status and duration; never metadata or content. */
final class CallLog implements ClientInterceptor {
  private static final Logger log = LoggerFactory.getLogger(InferenceClient.class);

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
    if (!log.isDebugEnabled()) {
      return call;
    }
    String name = method.getBareMethodName();
    long start = System.nanoTime();
    return new SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        super.start(
            new SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                long millis = (System.nanoTime() - start) / 1_000_000;
                log.debug("{} {} {}ms", name, status.getCode(), millis);
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }
}
