package io.inferd.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;

/**
 * Drops the warning grpc-java's Netty transport logs, with its stack trace, for every stream that
 * still had messages queued when its client went away ("Stream closed before write could take
 * place"). A client leaving mid-stream is normal: the access log records the call as CANCELLED. The
 * warning, written on the event loop, was 40 lines per open stream: a client that drops a
 * connection with 64 streams on it wrote 2,500 lines to stderr, and a slow stderr stalls the event
 * loop. Every other message of that logger still goes through. An appender's filter, so it is asked
 * only about events that are logged, not on every logging call.
 */
public final class ClientLeftNoise extends Filter<ILoggingEvent> {
  static final String LOGGER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";
  private static final String CLOSED_BEFORE_WRITE = "Stream closed before write could take place";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy cause = event.getThrowableProxy();
    boolean clientLeft =
        cause != null
            && Http2Exception.StreamException.class.getName().equals(cause.getClassName())
            && CLOSED_BEFORE_WRITE.equals(cause.getMessage())
            && "Stream Error".equals(event.getMessage())
            && LOGGER.equals(event.getLoggerName());
    return clientLeft ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
