package io.inferd.client.testing;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fake service on an in-process server, with a channel to it; close it in {@code @AfterEach}.
 * Records every call attempt the server sees and can fail the next ones before the service runs.
 */
public final class InProcessInference implements AutoCloseable {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** One call attempt as the server saw it arrive; deadline null when the call had none. */
  public record Attempt(String method, long nanoTime, Deadline deadline) {
    /** The time the call had left when it arrived. */
    public Duration deadlineAtArrival() {
      long sinceArrival = System.nanoTime() - nanoTime;
      return Duration.ofNanos(deadline.timeRemaining(NANOSECONDS) + sinceArrival);
    }
  }

  private record Failure(Status status, String pushbackMillis) {}

  public final FakeInferenceService service = new FakeInferenceService();

  /** The x-api-key header of each attempt, in order; empty where it had none. */
  public final List<Optional<String>> apiKeys = new CopyOnWriteArrayList<>();

  /** Every attempt, failed ones included, in order. */
  public final List<Attempt> attempts = new CopyOnWriteArrayList<>();

  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final String name = InProcessServerBuilder.generateName();
  private final Server server;
  private final ManagedChannel channel;

  private InProcessInference() throws IOException {
    ServerInterceptor recordAndFail =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            String method = call.getMethodDescriptor().getFullMethodName();
            attempts.add(new Attempt(method, System.nanoTime(), Context.current().getDeadline()));
            apiKeys.add(Optional.ofNullable(headers.get(API_KEY)));
            Failure failure = failures.poll();
            if (failure == null) {
              return next.startCall(call, headers);
            }
            var trailers = new Metadata();
            if (failure.pushbackMillis() != null) {
              trailers.put(PUSHBACK, failure.pushbackMillis());
            }
            call.close(failure.status(), trailers); // no headers sent: the client may retry
            return new ServerCall.Listener<>() {};
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, recordAndFail))
            .build()
            .start();
    channel = channelBuilder().build();
  }

  public static InProcessInference start() throws IOException {
    return new InProcessInference();
  }

  /** A channel shared by the test; retries are not configured on it. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A fresh builder for a channel to this server, for a client that owns its channel. */
  public ManagedChannelBuilder<?> channelBuilder() {
    return InProcessChannelBuilder.forName(name).directExecutor();
  }

  /** Fails the next {@code times} attempts, of any method, with {@code status}. */
  public void failNext(int times, Status status) {
    for (int i = 0; i < times; i++) {
      failures.add(new Failure(status, null));
    }
  }

  /** Fails the next attempt with {@code status} and a {@code grpc-retry-pushback-ms} trailer. */
  public void failNextWithPushback(Status status, String pushbackMillis) {
    failures.add(new Failure(status, pushbackMillis));
  }

  /** The methods of the attempts, e.g. {@code ai.inference.v1.InferenceService/Complete}. */
  public List<String> attemptedMethods() {
    return attempts.stream().map(Attempt::method).toList();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, SECONDS);
    server.awaitTermination(5, SECONDS);
  }
}
