package io.inferd.server.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.inferd.engine.Scheduler;
import io.inferd.server.telemetry.AccessLog;
import io.inferd.server.telemetry.InferdMetrics;
import io.inferd.server.telemetry.Telemetry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallTrackerTest {
  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  private static final MethodDescriptor<String, String> WORDS =
      MethodDescriptor.<String, String>newBuilder(TEXT, TEXT)
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("test.Words/Say")
          .build();
  private static final Metadata.Key<String> EXTRA =
      Metadata.Key.of("inferd-test-extra", Metadata.ASCII_STRING_MARSHALLER);

  private final InferdMetrics metrics = new InferdMetrics(new Scheduler(1, 1, 100));
  private final CallTracker tracker = new CallTracker(new Telemetry(new AccessLog(), metrics));
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    metrics.close();
  }

  /** Serves {@link #WORDS} with {@code service} behind the tracker. */
  private void serve(BiConsumer<String, ServerCallStreamObserver<String>> service)
      throws IOException {
    var definition =
        ServerServiceDefinition.builder("test.Words")
            .addMethod(
                WORDS,
                ServerCalls.asyncServerStreamingCall(
                    (String request, StreamObserver<String> out) ->
                        service.accept(request, (ServerCallStreamObserver<String>) out)))
            .build();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(definition, tracker))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @Test
  void aCallEndedAtStop_getsTheStopsStatus_looksCancelledToTheService_andIsCountedOnce()
      throws Exception {
    var serviceCancelled = new CountDownLatch(1);
    var ended = new CountDownLatch(1);
    var lateWrite = new AtomicReference<Throwable>();
    var writer = new AtomicReference<Thread>();
    serve(
        (request, out) -> {
          out.setOnCancelHandler(serviceCancelled::countDown);
          out.onNext("first");
          writer.set(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          ended.await();
                          out.onNext("after the end"); // dropped, not thrown
                          out.onCompleted();
                        } catch (Throwable t) {
                          lateWrite.set(t);
                        }
                      }));
        });
    Iterator<String> words =
        ClientCalls.blockingServerStreamingCall(channel, WORDS, CallOptions.DEFAULT, "hi");
    assertThat(words.next()).isEqualTo("first");
    assertThat(tracker.openCalls()).isEqualTo(1);

    assertThat(tracker.endAll(Status.UNAVAILABLE.withDescription("stopping"))).isEqualTo(1);
    ended.countDown();

    assertThatThrownBy(words::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(serviceCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(tracker.endAll(Status.UNAVAILABLE)).isZero(); // nothing left open to end
    assertThat(tracker.openCalls()).isZero();
    writer.get().join();
    assertThat(lateWrite.get()).isNull();
    assertThat(metrics.scrape())
        .contains("inferd_requests_total{code=\"UNAVAILABLE\",method=\"Say\"")
        .doesNotContain("code=\"OK\"");
  }

  @Test
  void theServiceSeesItsCallsStats_andTheHeadersItPuts_goOutWithTheResponseHeaders()
      throws Exception {
    serve(
        (request, out) -> {
          CallTracker.stats().model("model-" + request);
          CallTracker.putResponseHeader(EXTRA, "yes");
          out.onNext(request);
          out.onCompleted();
        });
    var headers = new AtomicReference<Metadata>();
    Channel seeingHeaders = io.grpc.ClientInterceptors.intercept(channel, headersInto(headers));
    Iterator<String> words =
        ClientCalls.blockingServerStreamingCall(seeingHeaders, WORDS, CallOptions.DEFAULT, "a");
    assertThat(words.next()).isEqualTo("a");
    assertThat(words.hasNext()).isFalse();

    assertThat(headers.get().get(EXTRA)).isEqualTo("yes");
    assertThat(metrics.scrape())
        .contains("inferd_requests_total{code=\"OK\",method=\"Say\",model=\"model-a\"");
    assertThat(tracker.openCalls()).isZero();
  }

  @Test
  void aCallTheClientCancels_isReportedCancelled_afterTheServicesCancelHandlerRan()
      throws Exception {
    var serviceCancelled = new CountDownLatch(1);
    serve(
        (request, out) -> {
          out.setOnCancelHandler(serviceCancelled::countDown);
          out.onNext("first"); // and no end: the client leaves
        });
    var call = channel.newCall(WORDS, CallOptions.DEFAULT);
    var first = new CountDownLatch(1);
    ClientCalls.asyncServerStreamingCall(
        call,
        "hi",
        new StreamObserver<>() {
          @Override
          public void onNext(String value) {
            first.countDown();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

    call.cancel("leaving", null);

    assertThat(serviceCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!metrics.scrape().contains("code=\"CANCELLED\"") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(metrics.scrape())
        .contains("inferd_requests_total{code=\"CANCELLED\",method=\"Say\"");
    assertThat(tracker.openCalls()).isZero();
  }

  private static ClientInterceptor headersInto(AtomicReference<Metadata> headers) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata requestHeaders) {
            super.start(
                new SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onHeaders(Metadata responseHeaders) {
                    headers.set(responseHeaders);
                    super.onHeaders(responseHeaders);
                  }
                },
                requestHeaders);
          }
        };
      }
    };
  }
}
