package io.inferd.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferd.engine.InferenceException;
import io.inferd.engine.InferenceException.Kind;
import io.inferd.engine.ModelNotFoundException;
import io.inferd.engine.QueueFullException;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.LimitExceededException;
import io.inferd.server.core.ShuttingDownException;
import io.inferd.server.rest.HttpErrors.HttpError;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HttpErrorsTest {
  @Test
  void invalidRequest_is400_namingTheFieldTheMessageStartsWith() {
    HttpError error =
        HttpErrors.of(new InvalidRequestException("messages[2].role: 'x' (expected: user)"));
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.param()).isEqualTo("messages[2].role");
    assertThat(error.body().path("error").path("message").asText()).startsWith("messages[2].role");
  }

  @Test
  void theTable_statusTypeAndCodePerKind() {
    assertThat(HttpErrors.of(new UnauthenticatedException("send a key")))
        .extracting(HttpError::status, HttpError::type, HttpError::code)
        .containsExactly(401, "authentication_error", "invalid_api_key");
    assertThat(HttpErrors.of(new ModelNotFoundException("generation", "x", List.of("a"))))
        .extracting(HttpError::status, HttpError::code, HttpError::param)
        .containsExactly(404, "model_not_found", "model");
    assertThat(HttpErrors.of(new LimitExceededException("input", 9, 3, "--max-embed-texts")))
        .extracting(HttpError::status, HttpError::code, HttpError::param)
        .containsExactly(413, "limit_exceeded", "input");
    assertThat(HttpErrors.of(new ShuttingDownException()))
        .extracting(HttpError::status, HttpError::code)
        .containsExactly(503, "shutting_down");
    assertThat(HttpErrors.of(new InferenceException(Kind.DEADLINE_EXCEEDED, "late")).status())
        .isEqualTo(504);
  }

  @Test
  void aFullQueue_is429_withRetryAfterInWholeSecondsRoundedUp() {
    HttpError error = HttpErrors.of(new CompletionException(new QueueFullException(1, 1, 1200)));
    assertThat(error.status()).isEqualTo(429);
    assertThat(error.code()).isEqualTo("server_busy");
    assertThat(error.retryAfterSeconds()).isEqualTo(2);
  }

  @Test
  void anUpstreamThatRefusedThisServersKey_is502_notTheCallers401() {
    HttpError error =
        HttpErrors.of(
            new InferenceException(
                Kind.UPSTREAM_REFUSED, "upstream_auth", "upstream answered 401", -1, null));
    assertThat(error.status()).isEqualTo(502);
    assertThat(error.code()).isEqualTo("upstream_auth");
    assertThat(error.message()).isEqualTo("upstream answered 401");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKind_isAnErrorStatus_withAnOpenAiType(Kind kind) {
    HttpError error = HttpErrors.of(new InferenceException(kind, "why"));
    assertThat(error.status()).isBetween(400, 599);
    assertThat(error.type()).endsWith("_error");
  }

  @Test
  void cancelledWork_isTheGatewayStopping_andABugIs500NamingItsClass() {
    assertThat(HttpErrors.of(new CancellationException()).code()).isEqualTo("shutting_down");
    HttpError bug = HttpErrors.of(new IllegalStateException("secret detail"));
    assertThat(bug.status()).isEqualTo(500);
    assertThat(bug.message()).isEqualTo("internal error: IllegalStateException");
  }
}
