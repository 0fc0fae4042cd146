package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.Generation;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.PlannedCompletion;
import io.inferd.server.core.StreamOutlet;
import io.inferd.server.rest.HttpErrors.HttpError;
import io.inferd.server.rest.OpenAiJson.ChatRequest;
import io.inferd.server.telemetry.CallStats;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** POST /v1/chat/completions, whole or as server-sent events. */
final class ChatCompletions implements Endpoint {
  private final InferenceCore core;
  private final Clock clock;
  private final Duration streamIdleTimeout;

  ChatCompletions(InferenceCore core, Clock clock, Duration streamIdleTimeout) {
    this.core = requireNonNull(core, "core");
    this.clock = requireNonNull(clock, "clock");
    this.streamIdleTimeout = requireNonNull(streamIdleTimeout, "streamIdleTimeout");
  }

  @Override
  public String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception {
    ChatRequest request =
        OpenAiJson.chatRequest(Json.parseObject(RequestBodyErrors.read(req)));
    PlannedCompletion plan = core.plan(request.input());
    String id = InferenceCore.newCompletionId();
    long created = clock.instant().getEpochSecond();
    return request.stream()
        ? stream(res, call, plan, id, created)
        : whole(res, call, plan, id, created);
  }

  private String whole(
      ServerResponse res, RestCall call, PlannedCompletion plan, String id, long created)
      throws Exception {
    CallStats stats = call.stats();
    Generation generation =
        call.await(
            core.generate(
                plan,
                token -> {
                  stats.firstToken(System.nanoTime());
                  return !call.aborted();
                }));
    stats.addUsage(generation.promptTokens(), generation.completionTokens());
    Json.send(res, OpenAiJson.completion(id, created, plan.model(), generation));
    return "200";
  }

  /**
   * The engine offers each event to a {@link StreamOutlet} over this response's {@link SseWriter},
   * and this request's (virtual) thread writes them: a slow reader slows the engine, a client that
   * left stops it at the next token, and a reader that takes nothing for the idle timeout ends the
   * call — this thread is then interrupted, which closes its blocked socket, and the slot is freed.
   */
  private String stream(
      ServerResponse res, RestCall call, PlannedCompletion plan, String id, long created)
      throws Exception {
    CallStats stats = call.stats();
    SseWriter sse = new SseWriter(res, call);
    StreamOutlet<String> outlet = new StreamOutlet<>(sse, streamIdleTimeout);
    Thread writer = Thread.currentThread();
    CompletableFuture<Generation> work =
        core.generate(
            plan,
            token -> {
              boolean first = outlet.written() == 0;
              if (first) {
                stats.firstToken(System.nanoTime());
              }
              var outcome =
                  outlet.offer(Json.text(OpenAiJson.delta(id, created, plan.model(), token, first)));
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
      stats.addUsage(plan.request().prompt().tokenCount(), outlet.written());
      return "499";
    }
    Generation generation;
    try {
      generation = call.await(work);
    } catch (Exception e) {
      if (sse.broken()) {
        stats.addUsage(plan.request().prompt().tokenCount(), outlet.written());
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
    stats.addUsage(generation.promptTokens(), generation.completionTokens());
    boolean delivered =
        sse.send(
                Json.text(
                    OpenAiJson.last(id, created, plan.model(), generation, outlet.written() == 0)))
            && sse.send("[DONE]");
    sse.close();
    return delivered ? "200" : "499";
  }
}
