package io.inferd.server.interceptor;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Offers gzip: compresses responses to clients that said they accept it ({@code
 * grpc-accept-encoding}). Requests are decompressed by grpc-java whatever this says. Off by
 * default: token chunks are small, and compressing them costs more CPU than it saves bandwidth.
 */
public final class CompressionInterceptor implements ServerInterceptor {
  private static final Metadata.Key<String> ACCEPT_ENCODING =
      Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String accepted = headers.get(ACCEPT_ENCODING);
    if (accepted != null && accepted.contains("gzip")) {
      call.setCompression("gzip");
    }
    return next.startCall(call, headers);
  }
}
