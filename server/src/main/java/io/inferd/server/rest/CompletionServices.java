package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerResponse;
import io.inferd.server.core.ChoiceSink;
import io.inferd.server.core.Completion;
import io.inferd.server.core.InferenceCore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What both completion endpoints need: the core that completes, the clock that dates a completion,
 * and how long an SSE stream may wait for its reader.
 */
record CompletionServices(InferenceCore core, Clock clock, Duration streamIdleTimeout) {
  CompletionServices {
    requireNonNull(core, "core");
    requireNonNull(clock, "clock");
    requireNonNull(streamIdleTimeout, "streamIdleTimeout");
  }

  /** Seconds since the epoch, OpenAI's {@code created}. */
  long created() {
    return clock.instant().getEpochSecond();
  }

  /** {@link SseRelay#run} with this stream idle timeout. */
  String relay(
      ServerResponse res,
      RestCall call,
      int promptTokens,
      Function<ChoiceSink, CompletableFuture<Completion>> start,
      SseRelay.Events events)
      throws Exception {
    return SseRelay.run(res, call, streamIdleTimeout, promptTokens, start, events);
  }
}
