package io.inferd.client.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what one logger logs at {@code level} and above, until closed. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level savedLevel;
  private final boolean savedAdditive;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Class<?> loggerClass, Level level) {
    logger = (Logger) LoggerFactory.getLogger(loggerClass);
    savedLevel = logger.getLevel();
    savedAdditive = logger.isAdditive();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(level);
    logger.setAdditive(false); // keep the captured lines off the console
  }

  public static LogCapture of(Class<?> loggerClass, Level level) {
    return new LogCapture(loggerClass, level);
  }

  public List<ILoggingEvent> events() {
    synchronized (appender) { // AppenderBase appends under this lock
      return List.copyOf(appender.list);
    }
  }

  /** The formatted messages, in order. */
  public List<String> lines() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(savedLevel);
    logger.setAdditive(savedAdditive);
    appender.stop();
  }
}
