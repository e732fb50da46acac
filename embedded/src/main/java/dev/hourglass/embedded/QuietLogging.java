package dev.hourglass.embedded;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Turns the broker's and PostgreSQL wrapper's INFO chatter down to ERROR, unless the user asked for
 * more with {@code -Dhourglass.embedded.log=INFO} (or DEBUG).
 */
final class QuietLogging {
  private static final String[] NOISY = {
    "kafka", "org.apache.kafka", "state.change.logger", "io.zonky", "org.apache.zookeeper"
  };

  private QuietLogging() {}

  static void apply() {
    Level level = Level.toLevel(System.getProperty("hourglass.embedded.log", "ERROR"), Level.ERROR);
    for (String logger : NOISY) {
      Configurator.setLevel(logger, level);
    }
    dropBenignSequenceErrors(level);
  }

  /** See {@link BenignSequenceErrors}: the broker's one ERROR that is not an error. */
  private static void dropBenignSequenceErrors(Level level) {
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      return;
    }
    Configuration config = context.getConfiguration();
    LoggerConfig logger = config.getLoggerConfig(BenignSequenceErrors.LOGGER);
    if (!logger.getName().equals(BenignSequenceErrors.LOGGER)) {
      logger = new LoggerConfig(BenignSequenceErrors.LOGGER, level, true);
      config.addLogger(BenignSequenceErrors.LOGGER, logger);
    }
    if (!(logger.getFilter() instanceof BenignSequenceErrors)) {
      logger.addFilter(new BenignSequenceErrors());
    }
    context.updateLoggers();
  }
}
