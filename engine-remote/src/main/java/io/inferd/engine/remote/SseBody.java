package io.inferd.engine.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A response body read by one consuming thread, a buffer at a time, split into server-sent events.
 * The consumer asks for the next buffer only after it handled the last one, so a slow caller slows
 * the upstream (TCP backpressure) instead of filling memory; and {@link #cancel()} cancels the body
 * subscription, which makes the JDK client close the connection, so the upstream sees the
 * disconnect at its next write.
 */
final class SseBody implements HttpResponse.BodySubscriber<Void> {
  private static final Object END = new Object();

  /** Another piece of the body, its end, or a failure. */
  sealed interface Piece permits Events, End, Failed, TimedOut {}

  /** The events completed by the last buffer (possibly none); {@code data} of each. */
  record Events(List<String> data) implements Piece {}

  record End() implements Piece {}

  record Failed(Throwable error) implements Piece {}

  record TimedOut() implements Piece {}

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private volatile Flow.Subscription subscription;
  private long bytes;

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (cancelled.get()) {
      subscription.cancel();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable throwable) {
    queue.add(new Failed(throwable));
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  @Override
  public CompletionStage<Void> getBody() {
    return CompletableFuture.completedStage(null); // the consumer reads the body itself
  }

  /** Stops reading; the client closes the connection. Safe from any thread, more than once. */
  void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  /**
   * Waits up to {@code timeoutNanos} for the next buffer and returns the events it completed, then
   * asks for the next buffer.
   */
  Piece next(long timeoutNanos) throws InterruptedException {
    Object item = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    if (item == null) {
      return new TimedOut();
    }
    if (item == END) {
      return new End();
    }
    if (item instanceof Failed failed) {
      return failed;
    }
    @SuppressWarnings("unchecked")
    List<ByteBuffer> buffers = (List<ByteBuffer>) item;
    List<String> events = new ArrayList<>();
    for (ByteBuffer buffer : buffers) {
      bytes += buffer.remaining();
      while (buffer.hasRemaining()) {
        byte b = buffer.get();
        if (b == '\n') {
          // '\n' never occurs inside a UTF-8 multi-byte sequence, so whole lines decode safely.
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          field(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text, events);
        } else {
          line.write(b);
        }
      }
    }
    Flow.Subscription s = subscription;
    if (s != null && !cancelled.get()) {
      s.request(1);
    }
    return new Events(events);
  }

  /** Reads the whole (error) body, at most {@code limit} bytes, within {@code timeoutNanos}. */
  byte[] readAll(int limit, long timeoutNanos) throws InterruptedException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    long until = System.nanoTime() + timeoutNanos;
    while (all.size() < limit) {
      Object item = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (item == null || item == END || item instanceof Failed) {
        break;
      }
      @SuppressWarnings("unchecked")
      List<ByteBuffer> buffers = (List<ByteBuffer>) item;
      for (ByteBuffer buffer : buffers) {
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        all.write(chunk, 0, Math.min(chunk.length, limit - all.size()));
      }
      Flow.Subscription s = subscription;
      if (s != null && !cancelled.get()) {
        s.request(1);
      }
    }
    return all.toByteArray();
  }

  /** Bytes of body received so far. */
  long bytes() {
    return bytes;
  }

  /** One line of the event stream (text/event-stream): only {@code data} matters here. */
  private void field(String text, List<String> events) {
    if (text.isEmpty()) { // a blank line dispatches the event
      if (hasData) {
        events.add(data.toString());
      }
      data.setLength(0);
      hasData = false;
      return;
    }
    if (text.startsWith(":")) {
      return; // comment, e.g. a keep-alive
    }
    int colon = text.indexOf(':');
    String name = colon < 0 ? text : text.substring(0, colon);
    if (!name.equals("data")) {
      return; // event, id, retry: not used by OpenAI streams
    }
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (hasData) {
      data.append('\n');
    }
    data.append(value);
    hasData = true;
  }

  /** For tests and callers without a response: feed bytes as if they had arrived. */
  static List<String> parseAll(byte[] body) throws IOException {
    SseBody sse = new SseBody();
    sse.onNext(List.of(ByteBuffer.wrap(body)));
    try {
      Piece piece = sse.next(0);
      return piece instanceof Events events ? events.data() : List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
