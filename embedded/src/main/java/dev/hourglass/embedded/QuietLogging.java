package dev.hourglass.embedded;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

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
  }
}
