package io.inferd.server.rest;

import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.GeneratedToken;
import io.inferd.server.core.ChoiceSink;
import io.inferd.server.core.Completion;
import io.inferd.server.core.StreamOutlet;
import io.inferd.server.rest.HttpErrors.HttpError;
import io.inferd.server.telemetry.CallStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Streams a completion as server-sent events, for /v1/chat/completions and /v1/completions alike.
 * The engine threads (one per running choice) offer each event to a {@link StreamOutlet} over this
 * response's {@link SseWriter}, and this request's (virtual) thread writes them: a slow reader
 * slows the engines, a client that left stops them at the next token, and a reader that takes
 * nothing for the idle timeout ends the call — this thread is then interrupted, which closes its
 * blocked socket, and the slots are freed.
 */
final class SseRelay {
  /** The event texts of one endpoint's shape. */
  interface Events {
    /** The event for text of one choice; calls for one index come in order. */
    String piece(int index, String text, List<GeneratedToken> tokens);

    /** The closing events (finish reasons, usage), before [DONE]. */
    List<String> end(Completion completion);
  }

  private SseRelay() {}

  /** Runs {@code start} and relays its events; returns the status for the access log. */
  static String run(
      ServerResponse res,
      RestCall call,
      Duration streamIdleTimeout,
      int promptTokens,
      Function<ChoiceSink, CompletableFuture<Completion>> start,
      Events events)
      throws Exception {
    CallStats stats = call.stats();
    SseWriter sse = new SseWriter(res, call);
    StreamOutlet<String> outlet = new StreamOutlet<>(sse, streamIdleTimeout);
    Thread writer = Thread.currentThread();
    Object order = new Object(); // n > 1: choices' engine threads offer one at a time
    CompletableFuture<Completion> work =
        start.apply(
            (index, text, tokens) -> {
              stats.firstToken();
              StreamOutlet.Outcome outcome;
              synchronized (order) {
                outcome = outlet.offer(events.piece(index, text, tokens));
              }
              if (outcome == StreamOutlet.Outcome.IDLE_TIMEOUT) {
                call.abort();
                writer.interrupt(); // a virtual thread's blocked socket write ends when interrupted
              }
              return outcome == StreamOutlet.Outcome.WRITTEN; // false stops decoding
            });
    call.track(work);
    work.whenComplete((result, error) -> outlet.wake()); // an abort reaches a waiting offer at once
    try {
      sse.pump(work, outlet);
    } catch (InterruptedException e) {
      // only the idle timeout interrupts this thread
    }
    if (outlet.idleTimedOut()) {
      Thread.interrupted();
      stats.note("stream-idle-timeout");
      stats.addUsage(promptTokens, outlet.written());
      return "499";
    }
    Completion completion;
    try {
      completion = call.await(work);
    } catch (Exception e) {
      if (sse.broken()) {
        stats.addUsage(promptTokens, outlet.written());
        return "499"; // the client closed the connection; nobody to answer
      }
      if (!sse.started()) {
        throw e; // nothing sent yet: a plain error answer with its status
      }
      HttpError error = HttpErrors.of(e);
      sse.send(Json.text(error.body()));
      sse.close();
      return error.statusText();
    }
    stats.addUsage(completion.promptTokens(), completion.completionTokens());
    boolean delivered = true;
    for (String event : events.end(completion)) {
      delivered = delivered && sse.send(event);
    }
    delivered = delivered && sse.send("[DONE]");
    sse.close();
    return delivered ? "200" : "499";
  }
}
