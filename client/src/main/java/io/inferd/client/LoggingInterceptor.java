package io.inferd.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs one line when a call ends, for all four call kinds: method, status code, elapsed time, the
 * status description, and for streams the messages sent and received. INFO when OK, WARN otherwise.
 * Retries happen below it (see {@link RetryPolicy}), so a retried call is still one line, with
 * {@code attempts=N}.
 *
 * <p>Never logs metadata, which carries the API key. Message contents only when verbose: one DEBUG
 * line per message, as protobuf text cut at 2,000 characters.
 *
 * <pre>
 * ai.inference.v1.InferenceService/StreamComplete OK 812ms sent=1 received=57
 * ai.inference.v1.InferenceService/Complete UNAVAILABLE 731ms attempts=4 - io exception
 * </pre>
 */
public final class LoggingInterceptor implements ClientInterceptor {
  /** Where the lines go, e.g. a command's stderr. */
  @FunctionalInterface
  public interface Sink {
    void log(Level level, String line);

    /** Whether {@code level} is wanted; lets a sink spare the formatting of message contents. */
    default boolean isEnabled(Level level) {
      return true;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(LoggingInterceptor.class);
  private static final int MAX_CONTENT_CHARS = 2_000;
  private static final TextFormat.Printer TEXT = TextFormat.printer().escapingNonAscii(false);

  private static final Sink SLF4J =
      new Sink() {
        @Override
        public void log(Level level, String line) {
          log.atLevel(level).log("{}", line); // "{}" keeps braces in the line literal
        }

        @Override
        public boolean isEnabled(Level level) {
          return log.isEnabledForLevel(level);
        }
      };

  private final Sink sink;
  private final boolean verbose;

  private LoggingInterceptor(Sink sink, boolean verbose) {
    this.sink = requireNonNull(sink, "sink");
    this.verbose = verbose;
  }

  /** Logs to SLF4J (logger {@code io.inferd.client.LoggingInterceptor}), without contents. */
  public static LoggingInterceptor create() {
    return new LoggingInterceptor(SLF4J, false);
  }

  /** Logs to SLF4J, message contents included at DEBUG. */
  public static LoggingInterceptor createVerbose() {
    return new LoggingInterceptor(SLF4J, true);
  }

  /** Hands the lines to {@code sink}; contents too if {@code verbose}. */
  public static LoggingInterceptor to(Sink sink, boolean verbose) {
    return new LoggingInterceptor(sink, verbose);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    var attempts = new AttemptCounter();
    ClientCall<ReqT, RespT> call =
        next.newCall(method, callOptions.withStreamTracerFactory(attempts));
    return new LoggedCall<>(call, method, attempts);
  }

  private final class LoggedCall<ReqT, RespT> extends SimpleForwardingClientCall<ReqT, RespT> {
    private final String method;
    private final boolean streaming;
    private final AttemptCounter attempts;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger received = new AtomicInteger();
    private long startNanos;

    LoggedCall(
        ClientCall<ReqT, RespT> call, MethodDescriptor<ReqT, RespT> method, AttemptCounter a) {
      super(call);
      this.method = method.getFullMethodName();
      this.streaming = method.getType() != MethodDescriptor.MethodType.UNARY;
      this.attempts = a;
    }

    @Override
    public void start(Listener<RespT> listener, Metadata headers) {
      startNanos = System.nanoTime();
      super.start(
          new SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onMessage(RespT message) {
              received.incrementAndGet();
              content("received", message);
              super.onMessage(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              end(status); // before the caller hears of it, so the line is there when it does
              super.onClose(status, trailers);
            }
          },
          headers);
    }

    @Override
    public void sendMessage(ReqT message) {
      sent.incrementAndGet();
      content("sent", message);
      super.sendMessage(message);
    }

    private void content(String direction, Object message) {
      if (verbose && sink.isEnabled(Level.DEBUG)) {
        sink.log(Level.DEBUG, method + " " + direction + ": " + text(message));
      }
    }

    private void end(Status status) {
      Level level = status.isOk() ? Level.INFO : Level.WARN;
      if (!sink.isEnabled(level)) {
        return;
      }
      long millis = (System.nanoTime() - startNanos) / 1_000_000;
      var line = new StringBuilder(method).append(' ').append(status.getCode());
      line.append(' ').append(millis).append("ms");
      if (streaming) {
        line.append(" sent=").append(sent.get()).append(" received=").append(received.get());
      }
      if (attempts.count() > 1) {
        line.append(" attempts=").append(attempts.count());
      }
      if (status.getDescription() != null) {
        line.append(" - ").append(status.getDescription());
      }
      if (status.getCause() != null && status.getCause().getMessage() != null) {
        line.append(" (").append(status.getCause().getMessage()).append(')');
      }
      sink.log(level, line.toString());
    }
  }

  private static String text(Object message) {
    String text =
        message instanceof MessageOrBuilder m ? TEXT.shortDebugString(m) : String.valueOf(message);
    if (text.length() <= MAX_CONTENT_CHARS) {
      return text;
    }
    return text.substring(0, MAX_CONTENT_CHARS) + "... (" + text.length() + " chars)";
  }

  /** Counts the streams grpc-java opens for one call: the first attempt plus its retries. */
  private static final class AttemptCounter extends ClientStreamTracer.Factory {
    private final AtomicInteger attempts = new AtomicInteger();

    @Override
    public ClientStreamTracer newClientStreamTracer(
        ClientStreamTracer.StreamInfo info, Metadata headers) {
      attempts.incrementAndGet();
      return new ClientStreamTracer() {};
    }

    int count() {
      return attempts.get();
    }
  }
}
