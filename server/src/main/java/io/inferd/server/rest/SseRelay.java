package io.inferd.server.rest;

import io.helidon.webserver.http.ServerResponse;
import io.inferd.engine.GeneratedToken;
import io.inferd.server.core.ChoiceSink;
import io.inferd.server.core.Completion;
import io.inferd.server.rest.HttpErrors.HttpError;
import io.inferd.server.telemetry.CallStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Streams a completion as server-sent events, for /v1/chat/completions and /v1/completions alike. The
 * engine threads (one per running choice) hand each event to this request's (virtual) thread, which
 * writes it: a slow reader slows the engines, a client that left stops them at the next token, and a
 * reader that takes nothing for the idle timeout makes the hand-off fail — then this thread is
 * interrupted, which closes its blocked socket, and the slots are freed.
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
    SseWriter sse = new SseWriter(res);
    AtomicInteger sent = new AtomicInteger();
    SynchronousQueue<Pending> handoff = new SynchronousQueue<>();
    Thread writer = Thread.currentThread();
    AtomicBoolean stalled = new AtomicBoolean();
    CompletableFuture<Completion> work =
        start.apply(
            (index, text, tokens) -> {
              stats.firstToken(System.nanoTime());
              if (call.aborted() || sse.broken()) {
                call.abort(); // also wakes the handler thread waiting below
                return false; // stops decoding before the next token
              }
              var event = new Pending(events.piece(index, text, tokens));
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
                if (!event.written.get(
                    Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS)) {
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
      stats.addUsage(promptTokens, sent.get());
      return "499";
    }
    Completion completion;
    try {
      completion = call.await(work);
    } catch (Exception e) {
      if (sse.broken()) {
        stats.addUsage(promptTokens, sent.get());
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

  /** A reader that took nothing for the idle timeout: end the call and unblock its writer. */
  private static boolean stall(AtomicBoolean stalled, RestCall call, Thread writer) {
    stalled.set(true);
    call.abort();
    writer.interrupt(); // a virtual thread's blocked socket write ends when it is interrupted
    return false;
  }

  /** One SSE event on its way from an engine thread to the writing request thread. */
  private static final class Pending {
    final String data;
    final CompletableFuture<Boolean> written = new CompletableFuture<>();

    Pending(String data) {
      this.data = data;
    }
  }
}
