package io.inferd.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.ModelNotFoundException;
import io.inferd.engine.QueueFullException;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.LimitExceededException;
import io.inferd.server.core.ShuttingDownException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusMapperTest {
  @Test
  void classifiedFailures_keepTheirMessage_underTheirKindsCode() {
    assertThat(
            StatusMapper.toStatus(new InvalidRequestException("max_tokens: -5 (expected: >= 0)")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .satisfies(
            s -> assertThat(s.getDescription()).isEqualTo("max_tokens: -5 (expected: >= 0)"));
    assertThat(
            StatusMapper.toStatus(new ModelNotFoundException("generation", "x", List.of("a")))
                .getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(
            StatusMapper.toStatus(new LimitExceededException("texts", 9, 3, "--max-embed-texts"))
                .getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(StatusMapper.toStatus(new ShuttingDownException()).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKind_hasACode_andNoneIsUnknownOrOk(Kind kind) {
    Status status = StatusMapper.toStatus(new InferenceException(kind, "why"));
    assertThat(status.getCode()).isNotIn(Status.Code.UNKNOWN, Status.Code.OK);
  }

  @Test
  void anUpstreamThatRefusedThisServersKey_isNotTheCallersUnauthenticated() {
    Status status =
        StatusMapper.toStatus(
            new InferenceException(Kind.UPSTREAM_REFUSED, "upstream answered 401"));
    assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getDescription()).isEqualTo("upstream answered 401");
  }

  @Test
  void aRetryHint_becomesTheRetryPushbackTrailer() {
    StatusRuntimeException e = StatusMapper.toException(new QueueFullException(2, 4, 750));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getTrailers().get(StatusMapper.RETRY_PUSHBACK)).isEqualTo("750");
    assertThat(StatusMapper.toException(new ShuttingDownException()).getTrailers()).isNull();
  }

  @Test
  void aRequestOverALimit_carriesANegativePushback_soClientsDoNotRetryIt() {
    StatusRuntimeException e =
        StatusMapper.toException(
            new LimitExceededException("max_tokens", 5000, 4096, "--max-tokens-limit"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getTrailers().get(StatusMapper.RETRY_PUSHBACK)).isEqualTo("-1");
  }

  @Test
  void wrappersAreUnwrapped_andCancellationIsCancelled() {
    var wrapped =
        new CompletionException(new ExecutionException(new InvalidRequestException("x: y")));
    assertThat(StatusMapper.toStatus(wrapped).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(StatusMapper.toStatus(new CancellationException()).getCode())
        .isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void aStatusPassesThrough_andAnythingElseIsInternalNamingItsClass() {
    var denied = Status.PERMISSION_DENIED.withDescription("no").asRuntimeException();
    assertThat(StatusMapper.toStatus(denied)).isSameAs(denied.getStatus());
    Status internal = StatusMapper.toStatus(new IllegalStateException("bug"));
    assertThat(internal.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(internal.getDescription()).isEqualTo("internal error: IllegalStateException");
  }
}
