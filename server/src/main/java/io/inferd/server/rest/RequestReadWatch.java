package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Helidon 4.5 does not do for an HTTP/1.1 connection: cut a client that sends a request's
 * headers or body too slowly (slowloris). Helidon's idle check covers the wait for a request line,
 * but skips a connection once that line arrived; its socket read timeout is not applied to server
 * connections.
 *
 * <p>Registered as the connection's receive listener, it learns when a request line has been read
 * (on the connection's own thread) and arms a deadline; the headers disarm it for a request with no
 * body, and {@link #bodyRead()} (the handler has the whole body) for one with a body. A deadline
 * that passes closes the socket, which ends the blocked read. It also remembers the connection per
 * thread, so that a handler can ask whether its client is still there ({@link #clientGone()}).
 */
final class RequestReadWatch implements Http1ConnectionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestReadWatch.class);

  /** The connection whose request this thread handles (Helidon: one thread per connection). */
  private static final ThreadLocal<ConnectionContext> CONNECTION = new ThreadLocal<>();

  private static final ThreadLocal<Deadline> DEADLINE = new ThreadLocal<>();

  /** One armed deadline; whoever turns {@code armed} off first wins (the timer, or the request). */
  private record Deadline(AtomicBoolean armed, ScheduledFuture<?> task) {}

  private final Duration timeout;
  private final ScheduledThreadPoolExecutor timer;

  RequestReadWatch(Duration timeout) {
    this.timeout = requireNonNull(timeout, "timeout");
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "inferd-rest-request-timeout");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    disarm();
    CONNECTION.set(ctx);
    var armed = new AtomicBoolean(true);
    ScheduledFuture<?> task =
        timer.schedule(
            () -> {
              if (armed.compareAndSet(true, false)) {
                cut(ctx);
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    DEADLINE.set(new Deadline(armed, task));
  }

  @Override
  public void headers(ConnectionContext ctx, Headers headers) {
    if (!headers.contains(HeaderValues.TRANSFER_ENCODING_CHUNKED)
        && headers.first(HeaderNames.CONTENT_LENGTH).map(l -> l.strip().equals("0")).orElse(true)) {
      disarm(); // no body to wait for
    }
  }

  /** This thread's handler has read its request's whole body. */
  static void bodyRead() {
    disarm();
  }

  /**
   * Whether the client of this thread's request closed its connection. Looks without consuming what
   * the client may have sent next (Helidon's socket reads one byte ahead and keeps it).
   */
  static boolean clientGone() {
    ConnectionContext ctx = CONNECTION.get();
    if (ctx == null) {
      return false;
    }
    try {
      HelidonSocket socket = ctx.serverSocket();
      socket.idle(); // starts a reader that notices the end of the stream
      return !socket.isConnected();
    } catch (RuntimeException e) { // a connection without a socket of its own (tests, HTTP/2)
      return false;
    }
  }

  private static void disarm() {
    Deadline deadline = DEADLINE.get();
    if (deadline != null) {
      deadline.armed().set(false);
      deadline.task().cancel(false);
      DEADLINE.remove();
    }
  }

  private void cut(ConnectionContext ctx) {
    log.info(
        "closing a REST connection from {}: its request was not received within {} s"
            + " (--http-request-timeout)",
        ctx.remotePeer().address(),
        timeout.toSeconds());
    try {
      ctx.serverSocket().close();
    } catch (RuntimeException e) {
      log.debug("could not close a stalled REST connection", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
