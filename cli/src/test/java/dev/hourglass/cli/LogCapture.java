package dev.hourglass.cli;

import java.io.StringWriter;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything logged while it is open, in memory: what a run wrote to its log, for tests that scan
 * it. The loggers that print effective configurations (the Kafka clients' and our components') log
 * at INFO meanwhile, so that the scan sees them.
 */
final class LogCapture implements AutoCloseable {
  private static final List<String> CONFIG_LOGGERS =
      List.of(
          "org.apache.kafka.clients",
          "org.apache.kafka.streams",
          "org.apache.kafka.common.config",
          "dev.hourglass.producer",
          "dev.hourglass.streams",
          "dev.hourglass.sink");

  private final StringWriter text = new StringWriter();
  private final LoggerContext context;
  private final WriterAppender appender;

  private LogCapture(LoggerContext context) {
    this.context = context;
    CONFIG_LOGGERS.forEach(name -> Configurator.setLevel(name, Level.INFO));
    this.appender =
        WriterAppender.newBuilder()
            .setName("log-capture")
            .setTarget(text)
            .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%n").build())
            .build();
    appender.start();
    Configuration config = context.getConfiguration();
    config.getRootLogger().addAppender(appender, Level.ALL, null);
    for (LoggerConfig logger : config.getLoggers().values()) {
      if (!logger.isAdditive() && logger != config.getRootLogger()) {
        logger.addAppender(appender, Level.ALL, null);
      }
    }
    context.updateLoggers();
  }

  static LogCapture start() {
    return new LogCapture((LoggerContext) LogManager.getContext(false));
  }

  String text() {
    return text.toString();
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    config.getLoggers().values().forEach(l -> l.removeAppender(appender.getName()));
    config.getRootLogger().removeAppender(appender.getName());
    CONFIG_LOGGERS.forEach(name -> Configurator.setLevel(name, Level.WARN));
    context.updateLoggers();
    appender.stop();
  }
}
