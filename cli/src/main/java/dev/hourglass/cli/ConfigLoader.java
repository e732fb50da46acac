package dev.hourglass.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads configuration once, from a properties file and then the environment, the environment
 * winning. A key {@code a.b.c} is read from the variable {@code HOURGLASS_A_B_C}; keys contain no
 * underscores, so the mapping works both ways. Every key must be one the components know: a typo
 * fails with the key named instead of being ignored.
 */
final class ConfigLoader {
  static final String ENV_PREFIX = "HOURGLASS_";

  private ConfigLoader() {}

  /**
   * The merged settings.
   *
   * @param file a properties file, or null
   * @param env the environment (variables not starting with HOURGLASS_ are ignored; the
   *     test-backend variables HOURGLASS_TEST_* are not configuration)
   * @param known whether the components accept a key
   */
  static Map<String, String> load(Path file, Map<String, String> env, Predicate<String> known) {
    Map<String, String> merged = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    if (file != null) {
      Properties props = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(in);
      } catch (IOException e) {
        throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
      }
      for (String key : props.stringPropertyNames()) {
        if (!known.test(key)) {
          problems.add("Unknown configuration key " + key + " in " + file);
        }
        merged.put(key, props.getProperty(key).trim());
      }
    }
    env.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX) || name.startsWith(ENV_PREFIX + "TEST_")) {
            return;
          }
          String key = keyOf(name);
          if (!known.test(key)) {
            problems.add("Unknown configuration key " + key + " in environment variable " + name);
          }
          merged.put(key, value.trim());
        });
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("\n", problems));
    }
    return merged;
  }

  static String keyOf(String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  static String envOf(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The settings as they may be logged: secrets as {@code <masked>}. */
  static String describe(Map<String, String> settings) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(settings)
        .forEach(
            (k, v) ->
                out.append("  ")
                    .append(k)
                    .append(" = ")
                    .append(isSecret(k) ? "<masked>" : v)
                    .append('\n'));
    return out.toString();
  }

  static boolean isSecret(String key) {
    return key.contains("password") || key.contains("secret");
  }
}
