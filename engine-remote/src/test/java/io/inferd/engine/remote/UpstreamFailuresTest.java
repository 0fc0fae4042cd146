package io.inferd.engine.remote;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import java.net.URI;
import org.junit.jupiter.api.Test;

class UpstreamFailuresTest {
  private static final URI URL = URI.create("http://h1:8080/v1/chat/completions");

  @Test
  void anOpenAi401_isTheUpstreamRefusingOurKey_withTheHint() {
    InferenceException e =
        UpstreamFailures.status(URL, 401, "{\"error\":{\"message\":\"bad key\"}}".getBytes(UTF_8));
    assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_REFUSED);
    assertThat(e.code()).isEqualTo("upstream_auth");
    assertThat(e.getMessage()).contains("answered 401", "--upstream-api-key", "bad key");
  }

  @Test
  void openAiStatuses_classifiedOnce() {
    assertThat(UpstreamFailures.status(URL, 400, null).kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    assertThat(UpstreamFailures.status(URL, 404, null).kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(UpstreamFailures.status(URL, 429, null))
        .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED))
        .satisfies(e -> assertThat(e.retryAfterMillis()).isPositive());
    assertThat(UpstreamFailures.status(URL, 503, null).kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(UpstreamFailures.status(URL, 504, null).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(UpstreamFailures.status(URL, 418, null).kind()).isEqualTo(Kind.UPSTREAM_FAILED);
  }

  @Test
  void aGrpcUpstreamsStatus_keepsItsDescriptionAndPushback() {
    Metadata trailers = new Metadata();
    trailers.put(
        Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "250");
    InferenceException busy =
        UpstreamFailures.fromGrpc(
            "h:1",
            Status.RESOURCE_EXHAUSTED.withDescription("server busy").asRuntimeException(trailers));
    assertThat(busy.kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
    assertThat(busy.getMessage()).isEqualTo("server busy");
    assertThat(busy.retryAfterMillis()).isEqualTo(250);

    assertThat(UpstreamFailures.fromGrpc("h:1", Status.UNAUTHENTICATED.asRuntimeException()).kind())
        .isEqualTo(Kind.UPSTREAM_REFUSED);
    assertThat(
            UpstreamFailures.fromGrpc("h:1", Status.DEADLINE_EXCEEDED.asRuntimeException()).kind())
        .isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(UpstreamFailures.fromGrpc("h:1", Status.DATA_LOSS.asRuntimeException()).kind())
        .isEqualTo(Kind.UPSTREAM_FAILED);
  }
}
