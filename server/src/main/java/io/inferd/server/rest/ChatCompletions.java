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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
   * The engine hands each event to this request's (virtual) thread, which writes it: a slow reader
   * slows the engine, a client that left stops it at the next token, and a reader that takes nothing
   * for the idle timeout makes the hand-off fail — then this thread is interrupted, which closes its
   * blocked socket, and the slot is freed.
   */
  private String stream(
      ServerResponse res, RestCall call, PlannedCompletion plan, String id, long created)
      throws Exception {
    CallStats stats = call.stats();
    SseWriter sse = new SseWriter(res);
    AtomicInteger sent = new AtomicInteger();
    SynchronousQueue<Pending> handoff = new SynchronousQueue<>();
    Thread writer = Thread.currentThread();
    AtomicBoolean stalled = new AtomicBoolean();
    CompletableFuture<Generation> work =
        core.generate(
            plan,
            token -> {
              boolean first = sent.get() == 0;
              if (first) {
                stats.firstToken(System.nanoTime());
              }
              if (call.aborted() || sse.broken()) {
                call.abort(); // also wakes the handler thread waiting below
                return false; // stops decoding before the next token
              }
              var event =
                  new Pending(Json.text(OpenAiJson.delta(id, created, plan.model(), token, first)));
              long giveUpAt = System.nanoTime() + streamIdleTimeout.toNanos();
              try {
                // Short slices, so a writer that found the client gone is noticed at once.
                while (!handoff.offer(event, 20, TimeUnit.MILLISECONDS)) {
                  if (call.aborted() || sse.broken()) {
                    return false;
                  }
                  if (System.nanoTime() - giveUpAt > 0) {
                    return stall(stalled, call, writer);
                  }
                }
                // Wait for the write itself, so the next token is decoded only once this one is out.
                if (!event.written.get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                  return false; // the client is gone
                }
              } catch (TimeoutException e) {
                return stall(stalled, call, writer);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              } catch (ExecutionException e) {
                return false;
              }
              sent.incrementAndGet();
              return true;
            });
    try {
      while (!stalled.get()) {
        Pending event = handoff.poll(20, TimeUnit.MILLISECONDS);
        if (event != null) {
          boolean written = sse.send(event.data);
          event.written.complete(written);
          if (!written) {
            call.abort(); // the client is gone: the engine stops now
            break;
          }
        } else if (work.isDone()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // only the idle timeout interrupts this thread
    }
    if (stalled.get()) {
      Thread.interrupted();
      stats.note("stream-idle-timeout");
      stats.addUsage(plan.request().prompt().tokenCount(), sent.get());
      return "499";
    }
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

  /** A reader that took nothing for the idle timeout: end the call and unblock its writer. */
  private static boolean stall(AtomicBoolean stalled, RestCall call, Thread writer) {
    stalled.set(true);
    call.abort();
    writer.interrupt(); // a virtual thread's blocked socket write ends when it is interrupted
    return false;
  }

  /** One SSE event on its way from the engine thread to the writing request thread. */
  private static final class Pending {
    final String data;
    final CompletableFuture<Boolean> written = new CompletableFuture<>();

    Pending(String data) {
      this.data = data;
    }
  }
}
