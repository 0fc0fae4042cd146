package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.Generation;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.PlannedCompletion;
import io.inferd.server.rest.HttpErrors.HttpError;
import io.inferd.server.rest.OpenAiJson.ChatRequest;
import io.inferd.server.telemetry.CallStats;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** POST /v1/chat/completions, whole or as server-sent events. */
final class ChatCompletions implements Endpoint {
  private final InferenceCore core;
  private final Clock clock;

  ChatCompletions(InferenceCore core, Clock clock) {
    this.core = requireNonNull(core, "core");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception {
    ChatRequest request =
        OpenAiJson.chatRequest(Json.parseObject(req.content().inputStream().readAllBytes()));
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
   * Tokens are written on the engine thread, one event each, so a slow reader slows the engine and
   * a client that left stops it at the next token.
   */
  private String stream(
      ServerResponse res, RestCall call, PlannedCompletion plan, String id, long created)
      throws Exception {
    CallStats stats = call.stats();
    SseWriter sse = new SseWriter(res);
    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<Generation> work =
        core.generate(
            plan,
            token -> {
              boolean first = sent.get() == 0;
              if (first) {
                stats.firstToken(System.nanoTime());
              }
              if (call.aborted()
                  || !sse.send(
                      Json.text(OpenAiJson.delta(id, created, plan.model(), token, first)))) {
                call.abort(); // also wakes the handler thread waiting below
                return false; // stops decoding before the next token
              }
              sent.incrementAndGet();
              return true;
            });
    Generation generation;
    try {
      generation = call.await(work);
    } catch (Exception e) {
      if (sse.broken()) {
        stats.addUsage(plan.request().prompt().tokenCount(), sent.get());
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
        sse.send(Json.text(OpenAiJson.last(id, created, plan.model(), generation, sent.get() == 0)))
            && sse.send("[DONE]");
    sse.close();
    return delivered ? "200" : "499";
  }
}
