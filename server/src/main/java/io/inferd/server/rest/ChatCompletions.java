package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.GeneratedToken;
import io.inferd.server.core.Completion;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.PlannedCompletion;
import io.inferd.server.rest.OpenAiJson.ChatRequest;
import io.inferd.server.telemetry.CallStats;
import java.util.ArrayList;
import java.util.List;

/** POST /v1/chat/completions, whole or as server-sent events (see {@link SseRelay}). */
final class ChatCompletions implements Endpoint {
  private final CompletionServices services;
  private final InferenceCore core;

  ChatCompletions(CompletionServices services) {
    this.services = requireNonNull(services, "services");
    this.core = services.core();
  }

  @Override
  public String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception {
    ChatRequest request = OpenAiJson.chatRequest(Json.parseObject(RequestBodyErrors.read(req)));
    PlannedCompletion plan = core.plan(request.input());
    String id = InferenceCore.newCompletionId();
    long created = services.created();
    return request.stream()
        ? stream(res, call, plan, id, created, request.includeUsage())
        : whole(res, call, plan, id, created);
  }

  private String whole(
      ServerResponse res, RestCall call, PlannedCompletion plan, String id, long created)
      throws Exception {
    CallStats stats = call.stats();
    Completion completion =
        call.await(
            core.complete(
                plan,
                (index, text, tokens) -> {
                  stats.firstToken();
                  return !call.aborted();
                },
                stats));
    stats.addUsage(completion.promptTokens(), completion.completionTokens());
    Json.send(res, OpenAiJson.completion(id, created, plan.model(), completion, plan.logprobs()));
    return "200";
  }

  private String stream(
      ServerResponse res,
      RestCall call,
      PlannedCompletion plan,
      String id,
      long created,
      boolean includeUsage)
      throws Exception {
    boolean[] started = new boolean[plan.n()]; // each index written by one thread at a time
    SseRelay.Events events =
        new SseRelay.Events() {
          @Override
          public String piece(int index, String text, List<GeneratedToken> tokens) {
            boolean first = !started[index];
            started[index] = true;
            return Json.text(
                OpenAiJson.delta(
                    id,
                    created,
                    plan.model(),
                    index,
                    text,
                    tokens,
                    plan.logprobs(),
                    first,
                    plan.tools().active()));
          }

          @Override
          public List<String> end(Completion completion) {
            List<String> out = new ArrayList<>();
            for (Completion.Choice c : completion.choices()) {
              if (!c.toolCalls().isEmpty()) {
                boolean first = !started[c.index()];
                started[c.index()] = true;
                out.add(Json.text(OpenAiJson.toolCallsDelta(id, created, plan.model(), c, first)));
              }
            }
            out.add(
                Json.text(
                    OpenAiJson.last(id, created, plan.model(), completion, started, includeUsage)));
            if (includeUsage) {
              out.add(
                  Json.text(
                      OpenAiJson.usageChunk(
                          id, "chat.completion.chunk", created, plan.model(), completion)));
            }
            return out;
          }
        };
    return services.relay(
        res,
        call,
        plan.request().prompt().tokenCount(),
        sink -> core.complete(plan, sink, call.stats()),
        events);
  }
}
