package io.inferd.server.interceptor;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;

/**
 * A service whose requests stay bytes until its own listener parses them, within the call's {@code
 * onMessage}, so that a request that is not valid protobuf (or not valid UTF-8 in a string field)
 * is answered with INVALID_ARGUMENT and a message saying so, instead of grpc-java's UNKNOWN. The
 * stream is read once, before grpc-java closes it, and keeps what makes protobuf's parser fast: a
 * known length, or the in-process transport's message itself.
 *
 * <p>Responses keep the service's own marshaller: unlike {@code
 * ServerInterceptors.useMarshalledMessages}, nothing re-marshals each message on its way out, which
 * for a stream is every token.
 */
public final class RequestParsing {
  private static final MethodDescriptor.Marshaller<InputStream> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream;
        }
      };

  private RequestParsing() {}

  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    var descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    var methods = service.getMethods().stream().map(RequestParsing::bytesIn).toList();
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    var wrapped = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(wrapped::addMethod);
    return wrapped.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<InputStream, RespT> bytesIn(
      ServerMethodDefinition<ReqT, RespT> definition) {
    MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
    ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(
        method.toBuilder(BYTES, method.getResponseMarshaller()).build(),
        (call, headers) ->
            new Parsing<>(handler.startCall(new Typed<>(call, method), headers), call, method));
  }

  /**
   * The call as the service sees it: the request type shows only in its method descriptor, which is
   * the service's own; the responses are the same.
   */
  private static final class Typed<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;

    Typed(ServerCall<InputStream, RespT> call, MethodDescriptor<ReqT, RespT> method) {
      super(retyped(call));
      this.method = method;
    }

    @Override
    public void sendMessage(RespT message) {
      delegate().sendMessage(message); // a call site of its own (see InferdServer)
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }

  /** Parses each request as it reaches the service; answers the first malformed one. */
  private static final class Parsing<ReqT> extends SimpleForwardingServerCallListener<InputStream> {
    private final ServerCall.Listener<ReqT> listener;
    private final ServerCall<InputStream, ?> call;
    private final MethodDescriptor<ReqT, ?> method;
    private boolean rejected; // callbacks are serialized

    Parsing(
        ServerCall.Listener<ReqT> listener,
        ServerCall<InputStream, ?> call,
        MethodDescriptor<ReqT, ?> method) {
      super(retyped(listener));
      this.listener = listener;
      this.call = call;
      this.method = method;
    }

    @Override
    public void onMessage(InputStream message) {
      if (rejected) {
        return;
      }
      ReqT request;
      try {
        request = method.parseRequest(message);
      } catch (RuntimeException e) {
        InvalidProtocolBufferException parseError = parseError(e);
        if (parseError == null) {
          throw e;
        }
        rejected = true;
        call.close(
            Status.INVALID_ARGUMENT.withDescription(
                "malformed request: not a valid "
                    + method.getFullMethodName()
                    + " request message ("
                    + parseError.getMessage()
                    + ")"),
            new Metadata());
        return;
      }
      listener.onMessage(request);
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
  }

  private static InvalidProtocolBufferException parseError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidProtocolBufferException invalid) {
        return invalid;
      }
    }
    return null;
  }

  // Sound: what is typed by the request is overridden above (the descriptor, onMessage).
  @SuppressWarnings("unchecked")
  private static <T> T retyped(Object callOrListener) {
    return (T) callOrListener;
  }
}
