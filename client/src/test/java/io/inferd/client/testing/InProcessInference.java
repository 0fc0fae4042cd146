package io.inferd.client.testing;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The fake service on an in-process server, with a channel to it; close it in {@code @AfterEach}. */
public final class InProcessInference implements AutoCloseable {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  public final FakeInferenceService service = new FakeInferenceService();
  /** The x-api-key header of each call, in order; empty where the call had none. */
  public final List<Optional<String>> apiKeys = new CopyOnWriteArrayList<>();

  private final Server server;
  private final ManagedChannel channel;

  private InProcessInference() throws IOException {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor captureApiKey =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            apiKeys.add(Optional.ofNullable(headers.get(API_KEY)));
            return next.startCall(call, headers);
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, captureApiKey))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  public static InProcessInference start() throws IOException {
    return new InProcessInference();
  }

  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, SECONDS);
    server.awaitTermination(5, SECONDS);
  }
}
