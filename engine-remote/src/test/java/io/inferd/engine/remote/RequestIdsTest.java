package io.inferd.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.inferd.engine.Prompt;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * x-request-id: read or made by the interceptor, visible to the call, echoed, handed to engines.
 */
class RequestIdsTest {
  private final List<String> seenByService = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    var service =
        new HealthGrpc.HealthImplBase() {
          @Override
          public void check(
              HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
            seenByService.add(RequestIds.current().orElse("(none)"));
            response.onNext(HealthCheckResponse.getDefaultInstance());
            response.onCompleted();
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, RequestIds.serverInterceptor()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String call(String requestId) {
    Metadata headers = new Metadata();
    if (requestId != null) {
      headers.put(RequestIds.METADATA_KEY, requestId);
    }
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    HealthGrpc.newBlockingStub(channel)
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(headers),
            MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>()))
        .check(HealthCheckRequest.getDefaultInstance());
    return responseHeaders.get().get(RequestIds.METADATA_KEY);
  }

  @Test
  void aCallersId_isUsedAndEchoed() {
    assertThat(call("trace-7f3a")).isEqualTo("trace-7f3a");
    assertThat(seenByService).containsExactly("trace-7f3a");
  }

  @Test
  void noIdOrAnUnusableOne_getsAFreshOne() {
    String made = call(null);
    String replaced = call("x".repeat(200));

    assertThat(made).matches("req-[0-9a-f]{24}");
    assertThat(replaced).matches("req-[0-9a-f]{24}").isNotEqualTo(made);
    assertThat(seenByService).containsExactly(made, replaced);
  }

  @Test
  void anIdRememberedForAPrompt_isTakenOnce_byThatVeryPrompt() throws Exception {
    Prompt prompt = new Prompt("", 1);
    Prompt equalButOther = new Prompt("", 1);
    io.grpc.Context.current()
        .withValue(RequestIds.CONTEXT_KEY, "id-1")
        .run(() -> RequestIds.remember(prompt));

    assertThat(RequestIds.take(equalButOther)).startsWith("req-");
    assertThat(RequestIds.take(prompt)).isEqualTo("id-1");
    assertThat(RequestIds.take(prompt)).startsWith("req-");
  }
}
