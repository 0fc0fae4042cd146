package io.inferd.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Server-sent events on one response. The 200 and its headers go out with the first event, so
 * errors before it still get a proper status. Each event is written and flushed by the calling
 * thread, which blocks while the client reads slowly: that is the backpressure. A failed write
 * means the client is gone; every later send then returns false at once.
 */
final class SseWriter {
  private final ServerResponse response;
  private OutputStream out;
  private boolean broken;
  private boolean closed;

  SseWriter(ServerResponse response) {
    this.response = response;
  }

  /** Sends {@code data: <data>\n\n}; false if the client is gone or the stream was closed. */
  synchronized boolean send(String data) {
    if (broken || closed) {
      return false;
    }
    try {
      if (out == null) {
        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        out = response.outputStream();
      }
      out.write(("data: " + data + "\n\n").getBytes(UTF_8));
      out.flush();
      return true;
    } catch (IOException | RuntimeException e) { // Helidon reports a closed socket unchecked
      broken = true;
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
    if (out != null && !broken) {
      try {
        out.close();
      } catch (IOException | RuntimeException e) {
        broken = true;
      }
    }
  }
}
