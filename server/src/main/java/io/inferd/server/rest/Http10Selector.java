package io.inferd.server.rest;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The listener's HTTP/1 connections: HTTP/1.1 as Helidon serves it, and HTTP/1.0, which Helidon 4.x
 * refuses in its request-line parser (505; no release and no option accepts it), adapted to it. A
 * connection whose first request line ends in {@code HTTP/1.0} is served by Helidon's own HTTP/1
 * connection over an {@link Http10Context}, which presents each request to Helidon as HTTP/1.1
 * ({@code Connection: close} unless the client asked for keep-alive; {@code Host} if it had none)
 * and sends streamed responses without chunked encoding, delimited by the connection's close.
 *
 * <p>The listener's only selector, so that Helidon hands it each connection without reading first
 * (Helidon's own selector would claim a request line that arrives in pieces as HTTP/1.1).
 */
final class Http10Selector implements ServerConnectionSelector {
  /**
   * Tells a connection's adapter where each response's head starts and whether it is chunked, and
   * passes every event on to the listeners it replaces. The only send listener: Helidon 4.5
   * combines two or more into a listener that passes nothing on.
   */
  private record ResponseHeads(Http1ConnectionListener others) implements Http1ConnectionListener {
    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
      if (ctx instanceof Http10Context http10) {
        http10.responseHead(headers.contains(HeaderNames.TRANSFER_ENCODING));
      }
      others.headers(ctx, headers);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
      others.prologue(ctx, prologue);
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
      others.status(ctx, status);
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
      others.data(ctx, data);
    }

    @Override
    public void data(ConnectionContext ctx, byte[] data, int position, int length) {
      others.data(ctx, data, position, length);
    }
  }

  private final Http1Config config;
  private final Http1ConnectionSelector http1;

  Http10Selector(Http1Config config) {
    requireNonNull(config, "config");
    this.config =
        Http1Config.builder()
            .from(config)
            .sendListeners(List.of(new ResponseHeads(config.compositeSendListener())))
            .build();
    this.http1 = Http1ConnectionSelector.builder().config(this.config).build();
  }

  @Override
  public int bytesToIdentifyConnection() {
    return 0;
  }

  @Override
  public Support supports(BufferData request) {
    return Support.SUPPORTED; // every HTTP/1 connection; which version it speaks is seen later
  }

  @Override
  public Set<String> supportedApplicationProtocols() {
    return http1.supportedApplicationProtocols();
  }

  @Override
  public ServerConnection connection(ConnectionContext ctx) {
    return new FirstLine(ctx);
  }

  /** Reads (without consuming) the first request line, then hands over to Helidon's connection. */
  private final class FirstLine implements ServerConnection, InterruptableTask<Void> {
    private final ConnectionContext ctx;
    private final long created = System.nanoTime();
    private volatile ServerConnection chosen;
    private volatile Thread thread;
    private volatile boolean closed;

    FirstLine(ConnectionContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
      thread = Thread.currentThread();
      ConnectionContext served = http10(ctx.dataReader()) ? new Http10Context(ctx, config) : ctx;
      ServerConnection connection = http1.connection(served);
      chosen = connection;
      if (closed) {
        connection.close(true);
        return;
      }
      connection.handle(limit);
    }

    /** Whether the first request line (Helidon parses it again) ends in HTTP/1.0. */
    private boolean http10(DataReader reader) {
      try {
        int max = config.maxPrologueLength();
        int eol = reader.findNewLine(max);
        return eol < max && reader.getBuffer(eol).readString(eol, US_ASCII).endsWith(" HTTP/1.0");
      } catch (DataReader.InsufficientDataAvailableException e) {
        throw new CloseConnectionException("No data available", e);
      } catch (DataReader.IncorrectNewLineException e) {
        return false; // Helidon answers it 400
      }
    }

    @Override
    public boolean canInterrupt() {
      ServerConnection connection = chosen;
      if (connection == null) {
        return true; // waiting for the first request line
      }
      return connection instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    @Override
    public Duration idleTime() {
      ServerConnection connection = chosen;
      return connection == null
          ? Duration.ofNanos(System.nanoTime() - created)
          : connection.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
      closed = true;
      ServerConnection connection = chosen;
      if (connection != null) {
        connection.close(interrupt);
        return;
      }
      Thread waiting = thread;
      if (waiting != null) {
        waiting.interrupt(); // ends the wait for a first line
      }
    }
  }
}
