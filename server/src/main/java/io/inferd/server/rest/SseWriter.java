package io.inferd.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.server.core.StreamOutlet;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Server-sent events on one response, as a {@link StreamOutlet} transport: the engine thread hands
 * each event over, and the request's own (virtual) thread {@link #pump pumps} it out with a
 * blocking write, so the outlet's backpressure and idle timeout apply to SSE as to gRPC (the
 * engine's offer returns once the request thread has written its event). The 200 and its headers go
 * out with the first event, so errors before it still get a proper status. A failed write means the
 * client is gone; every later send then returns false at once.
 */
final class SseWriter implements StreamOutlet.Transport<String> {
  private final ServerResponse response;
  private final RestCall call;
  private OutputStream out;
  private String handedOver; // waiting for the request thread
  private boolean writing;
  private boolean engineDone;
  private boolean broken;
  private boolean closed;

  SseWriter(ServerResponse response, RestCall call) {
    this.response = response;
    this.call = call;
  }

  @Override
  public synchronized boolean ready() {
    return handedOver == null && !writing;
  }

  @Override
  public synchronized boolean gone() {
    return broken || closed || call.aborted();
  }

  /** Hands {@code data} to the request thread (engine thread; called only when ready). */
  @Override
  public synchronized boolean write(String data) {
    if (gone()) {
      return false;
    }
    handedOver = data;
    notifyAll();
    return true;
  }

  /**
   * On the request thread: writes the events handed over until the engine work is done and all of
   * them are out, or the client is gone. {@code outlet} is woken after each write.
   */
  void pump(CompletableFuture<?> work, StreamOutlet<String> outlet) throws InterruptedException {
    work.whenComplete((result, error) -> engineFinished());
    while (true) {
      String data;
      synchronized (this) {
        while (handedOver == null && !engineDone && !gone()) {
          wait();
        }
        if (handedOver == null || gone()) {
          return;
        }
        data = handedOver;
        handedOver = null;
        writing = true;
      }
      boolean sent = send(data);
      synchronized (this) {
        writing = false;
      }
      outlet.wake();
      if (!sent) {
        return;
      }
    }
  }

  private synchronized void engineFinished() {
    engineDone = true;
    notifyAll();
  }

  /** Sends {@code data: <data>\n\n} now; false if the client is gone or the stream was closed. */
  boolean send(String data) {
    OutputStream stream;
    synchronized (this) {
      if (broken || closed) {
        return false;
      }
      if (out == null) {
        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        out = response.outputStream();
      }
      stream = out;
    }
    try { // outside the monitor: a slow reader blocks this write, not the engine's ready() checks
      stream.write(("data: " + data + "\n\n").getBytes(UTF_8));
      stream.flush();
      return true;
    } catch (IOException | RuntimeException e) { // Helidon reports a closed socket unchecked
      synchronized (this) {
        broken = true;
        notifyAll();
      }
      return false;
    }
  }

  synchronized boolean started() {
    return out != null;
  }

  /** Whether a write failed, i.e. the client went away. */
  synchronized boolean broken() {
    return broken;
  }

  /** Ends the response; later sends return false. */
  synchronized void close() {
    closed = true;
    notifyAll();
    if (out != null && !broken) {
      try {
        out.close();
      } catch (IOException | RuntimeException e) {
        broken = true;
      }
    }
  }
}
