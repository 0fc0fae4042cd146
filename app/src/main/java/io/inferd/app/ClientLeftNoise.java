package io.inferd.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Marker;

/**
 * Drops the warning grpc-java's Netty transport logs, with its stack trace, for every stream that
 * still had messages queued when its client went away ("Stream closed before write could take
 * place"). A client leaving mid-stream is normal: the access log records the call as CANCELLED. The
 * warning, written on the event loop, was 40 lines per open stream: a client that drops a
 * connection with 64 streams on it wrote 2,500 lines to stderr, and a slow stderr stalls the event
 * loop. Every other message of that logger still goes through.
 */
public final class ClientLeftNoise extends TurboFilter {
  static final String LOGGER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";
  private static final String CLOSED_BEFORE_WRITE = "Stream closed before write could take place";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    boolean clientLeft =
        t instanceof Http2Exception.StreamException
            && "Stream Error".equals(format)
            && CLOSED_BEFORE_WRITE.equals(t.getMessage())
            && LOGGER.equals(logger.getName());
    return clientLeft ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
