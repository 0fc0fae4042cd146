package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import org.junit.jupiter.api.Test;

class ClientLeftNoiseTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  ClientLeftNoiseTest() {
    logged.addFilter(new ClientLeftNoise());
    logged.setContext(context);
    logged.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logged);
  }

  private static Http2Exception closedBeforeWrite() {
    return Http2Exception.streamError(
        3, Http2Error.STREAM_CLOSED, "Stream closed before write could take place");
  }

  @Test
  void theWarningForAStreamWhoseClientLeft_isDropped() {
    context.getLogger(ClientLeftNoise.LOGGER).warn("Stream Error", closedBeforeWrite());

    assertThat(logged.list).isEmpty();
  }

  @Test
  void otherStreamErrors_andOtherMessagesOfThatLogger_stillGoThrough() {
    var netty = context.getLogger(ClientLeftNoise.LOGGER);
    netty.warn(
        "Stream Error", Http2Exception.streamError(3, Http2Error.PROTOCOL_ERROR, "bad frame"));
    netty.warn("Connection Error", closedBeforeWrite());
    context.getLogger("io.inferd.server").warn("Stream Error", closedBeforeWrite());

    assertThat(logged.list)
        .extracting(ILoggingEvent::getMessage)
        .containsExactly("Stream Error", "Connection Error", "Stream Error");
  }

  @Test
  void serve_loadsTheFilter() throws Exception {
    var loaded = new LoggerContext();
    var configurator = new JoranConfigurator();
    configurator.setContext(loaded);
    configurator.doConfigure(ClientLeftNoise.class.getResource("/logback.xml"));

    var stderr = loaded.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(stderr.getCopyOfAttachedFiltersList())
        .hasAtLeastOneElementOfType(ClientLeftNoise.class);
  }
}
