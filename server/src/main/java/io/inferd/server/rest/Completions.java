package io.inferd.server.rest;

import static io.inferd.server.rest.Json.invalid;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.GeneratedToken;
import io.inferd.server.core.ChoiceSink;
import io.inferd.server.core.Completion;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.GenerationControls;
import io.inferd.server.core.GenerationObserver;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.PlannedCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POST /v1/completions, OpenAI's legacy text completions: the prompt is used as it is, without the
 * chat template. A prompt array gives n choices per prompt (choice index = prompt index * n + i),
 * prompts one after another.
 */
final class Completions implements Endpoint {
  private final CompletionServices services;
  private final InferenceCore core;

  Completions(CompletionServices services) {
    this.services = requireNonNull(services, "services");
    this.core = services.core();
  }

  @Override
  public String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception {
    ObjectNode body = Json.parseObject(RequestBodyErrors.read(req));
    OpenAiControls.rejectUnknown(body, OpenAiControls.COMPLETIONS);
    rejectUnsupportedLegacy(body);
    Boolean streamFlag = Json.optionalBoolean(body, "stream");
    boolean stream = streamFlag != null && streamFlag;
    boolean includeUsage = OpenAiControls.includeUsage(body, stream);
    Integer maxTokens = Json.optionalInt(body, "max_tokens");
    Float temperature = Json.optionalFloat(body, "temperature");
    List<PlannedCompletion> plans = new ArrayList<>();
    for (String prompt : prompts(body.get("prompt"))) {
      GenerationControls.Builder controls = OpenAiControls.common(body).rawPrompt(prompt);
      OpenAiControls.completionLogprobs(body, controls);
      plans.add(
          core.plan(
              new CompletionInput(
                  Json.optionalString(body, "model"),
                  List.of(),
                  temperature == null ? 0f : temperature, // greedy, as chat; OpenAI's default is 1
                  maxTokens == null ? 0 : maxTokens,
                  Json.optionalFloat(body, "top_p"),
                  Json.optionalInt(body, "seed"),
                  controls.build())));
    }
    PlannedCompletion first = plans.getFirst();
    String id = InferenceCore.newCompletionId();
    long created = services.created();
    String model = first.model();
    boolean logprobs = first.logprobs();
    if (!stream) {
      Completion completion =
          call.await(runAll(plans, (index, text, tokens) -> !call.aborted(), call.stats()));
      call.stats().addUsage(completion.promptTokens(), completion.completionTokens());
      ObjectNode out = OpenAiJson.head(id, "text_completion", created, model);
      ArrayNode choices = out.putArray("choices");
      for (Completion.Choice c : completion.choices()) {
        ObjectNode choice =
            choices.addObject().put("text", c.generation().text()).put("index", c.index());
        choice.set("logprobs", logprobs ? legacyLogprobs(c.logprobs()) : NullNode.instance);
        choice.put("finish_reason", c.generation().finishReason().wireName());
      }
      out.set("usage", OpenAiJson.usage(completion.promptTokens(), completion.completionTokens()));
      Json.send(res, out);
      return "200";
    }
    SseRelay.Events events =
        new SseRelay.Events() {
          @Override
          public String piece(int index, String text, List<GeneratedToken> tokens) {
            ObjectNode chunk = OpenAiJson.head(id, "text_completion", created, model);
            ObjectNode choice =
                chunk.putArray("choices").addObject().put("text", text).put("index", index);
            choice.set("logprobs", logprobs ? legacyLogprobs(tokens) : NullNode.instance);
            choice.putNull("finish_reason");
            return Json.text(chunk);
          }

          @Override
          public List<String> end(Completion completion) {
            ObjectNode chunk = OpenAiJson.head(id, "text_completion", created, model);
            ArrayNode choices = chunk.putArray("choices");
            for (Completion.Choice c : completion.choices()) {
              ObjectNode choice = choices.addObject().put("text", "").put("index", c.index());
              choice.putNull("logprobs");
              choice.put("finish_reason", c.generation().finishReason().wireName());
            }
            if (!includeUsage) {
              chunk.set(
                  "usage",
                  OpenAiJson.usage(completion.promptTokens(), completion.completionTokens()));
              return List.of(Json.text(chunk));
            }
            return List.of(
                Json.text(chunk),
                Json.text(
                    OpenAiJson.usageChunk(id, "text_completion", created, model, completion)));
          }
        };
    int promptTokens = plans.stream().mapToInt(p -> p.request().prompt().tokenCount()).sum();
    return services.relay(
        res, call, promptTokens, sink -> runAll(plans, sink, call.stats()), events);
  }

  /** The prompts one after another, choice indexes offset by n per prompt, usage added up. */
  private CompletableFuture<Completion> runAll(
      List<PlannedCompletion> plans, ChoiceSink sink, GenerationObserver observer) {
    CompletableFuture<Completion> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<Completion>> current = new AtomicReference<>();
    result.whenComplete(
        (c, e) -> {
          if (e != null && current.get() != null) {
            current.get().cancel(false);
          }
        });
    runFrom(0, plans, sink, observer, new ArrayList<>(), 0, current, result);
    return result;
  }

  private void runFrom(
      int p,
      List<PlannedCompletion> plans,
      ChoiceSink sink,
      GenerationObserver observer,
      List<Completion.Choice> done,
      int promptTokens,
      AtomicReference<CompletableFuture<Completion>> current,
      CompletableFuture<Completion> result) {
    if (p == plans.size()) {
      result.complete(new Completion(done, promptTokens));
      return;
    }
    PlannedCompletion plan = plans.get(p);
    int offset = p * plan.n();
    CompletableFuture<Completion> work;
    try {
      work =
          core.complete(
              plan, (index, text, tokens) -> sink.onPiece(offset + index, text, tokens), observer);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    current.set(work);
    if (result.isDone()) {
      work.cancel(false);
    }
    work.whenComplete(
        (completion, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
            return;
          }
          for (Completion.Choice c : completion.choices()) {
            done.add(new Completion.Choice(offset + c.index(), c.generation(), c.logprobs()));
          }
          runFrom(
              p + 1,
              plans,
              sink,
              observer,
              done,
              promptTokens + completion.promptTokens(),
              current,
              result);
        });
  }

  private static List<String> prompts(JsonNode node) {
    String expected = "a string or an array of strings";
    if (node == null || node.isNull()) {
      throw invalid("prompt", node == null ? NullNode.instance : node, expected);
    }
    if (node.isTextual()) {
      return List.of(node.textValue());
    }
    if (!node.isArray() || node.isEmpty()) {
      throw invalid("prompt", node, expected);
    }
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw invalid("prompt[" + i + "]", node.get(i), "a string; token arrays are not supported");
      }
      prompts.add(node.get(i).textValue());
    }
    return prompts;
  }

  /** Legacy parameters inferd takes only at the values that change nothing. */
  private static void rejectUnsupportedLegacy(ObjectNode body) {
    Boolean echo = Json.optionalBoolean(body, "echo");
    if (echo != null && echo) {
      throw invalid("echo", body.get("echo"), "false; inferd does not echo the prompt");
    }
    String suffix = Json.optionalString(body, "suffix");
    if (suffix != null && !suffix.isEmpty()) {
      throw invalid("suffix", body.get("suffix"), "left out; inferd does not insert text");
    }
    Integer bestOf = Json.optionalInt(body, "best_of");
    Integer n = Json.optionalInt(body, "n");
    if (bestOf != null && bestOf != (n == null ? 1 : n)) {
      throw invalid("best_of", body.get("best_of"), "equal to n; inferd does not rank choices");
    }
  }

  /** The legacy shape: tokens, token_logprobs, top_logprobs (token → logprob), text_offset. */
  private static ObjectNode legacyLogprobs(List<GeneratedToken> tokens) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode texts = out.putArray("tokens");
    ArrayNode logprobs = out.putArray("token_logprobs");
    ArrayNode top = out.putArray("top_logprobs");
    ArrayNode offsets = out.putArray("text_offset");
    int offset = 0;
    for (GeneratedToken token : tokens) {
      texts.add(token.text());
      logprobs.add(token.logprob());
      ObjectNode alternatives = top.addObject();
      token.topLogprobs().forEach(a -> alternatives.put(a.text(), a.logprob()));
      offsets.add(offset);
      offset += token.text().length();
    }
    return out;
  }
}
