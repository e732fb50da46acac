package dev.hourglass.config;

import java.util.List;

/**
 * Configuration that cannot be used. The message holds every problem found, one per line, each as
 * {@code Invalid value X for configuration Y: why}. The CLI exits with code 2 on this exception and
 * on no other: anything else is a bug.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Every problem, in the order given, one per line. */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
  }

  public ConfigException(String problem) {
    super(problem);
  }

  /** A problem in the one format: {@code Invalid value X for configuration Y: why}. */
  public static String invalid(String key, Object value, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }
}
