package dev.hourglass.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where settings come from: a properties file, then the environment, which wins. A key {@code
 * a.b.c} is read from the variable {@code HOURGLASS_A_B_C}; keys contain no underscores, so the
 * mapping works both ways. Keys with {@code -} (per-topic settings) can only be set in the file.
 */
public final class Sources {
  public static final String ENV_PREFIX = "HOURGLASS_";

  private Sources() {}

  /**
   * The merged settings, values trimmed.
   *
   * @param file a properties file (UTF-8), or null
   * @param env the environment: variables not starting with {@code HOURGLASS_} are ignored, and so
   *     are the test backend's {@code HOURGLASS_TEST_*}, the launcher's {@code HOURGLASS_JAVA_OPTS}
   *     and the logging configuration's {@code HOURGLASS_LOG_*}, which are not configuration
   * @throws ConfigException when the file cannot be read
   */
  public static Map<String, String> read(Path file, Map<String, String> env) {
    Map<String, String> merged = new TreeMap<>();
    if (file != null) {
      Properties props = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(in);
      } catch (IOException e) {
        throw new ConfigException("Cannot read configuration file " + file + ": " + e);
      }
      props.stringPropertyNames().forEach(key -> merged.put(key, props.getProperty(key).trim()));
    }
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX)
              && !name.startsWith(ENV_PREFIX + "TEST_")
              && !name.startsWith(ENV_PREFIX + "LOG_")
              && !name.equals(ENV_PREFIX + "JAVA_OPTS")) {
            merged.put(keyOf(name), value.trim());
          }
        });
    return merged;
  }

  /** {@code HOURGLASS_SINK_BATCH_SIZE} is {@code sink.batch.size}. */
  public static String keyOf(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code sink.batch.size} is read from {@code HOURGLASS_SINK_BATCH_SIZE}. */
  public static String variableOf(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
