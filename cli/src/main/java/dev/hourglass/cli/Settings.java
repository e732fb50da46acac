package dev.hourglass.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every component's configuration in one namespace, read once. Keys shared by several components
 * stand alone ({@code bootstrap.servers}, {@code topic.prefix}, {@code jdbc.url}, {@code
 * jdbc.user}, {@code jdbc.password}); the rest carry their component's prefix ({@code
 * streams.grace.ms}, {@code sink.batch.size}, {@code topics.partitions}), so that one file can hold
 * every component's settings without two meanings for one key. Each component validates its own
 * keys.
 *
 * @param values the merged settings, file then environment
 */
record Settings(Map<String, String> values) {
  static final Set<String> SHARED =
      Set.of("bootstrap.servers", "topic.prefix", "jdbc.url", "jdbc.user", "jdbc.password");
  static final List<String> COMPONENTS = List.of("streams.", "sink.", "topics.");

  Settings {
    values = Map.copyOf(values);
  }

  static Settings load(Path file) {
    return new Settings(ConfigLoader.load(file, System.getenv(), Settings::isKnown));
  }

  static boolean isKnown(String key) {
    return SHARED.contains(key) || COMPONENTS.stream().anyMatch(key::startsWith);
  }

  /** Shared keys the streams processor reads: it has no database. */
  static final Set<String> KAFKA_ONLY = Set.of("bootstrap.servers", "topic.prefix");

  /** The given shared keys plus the component's own, prefix and all. */
  Map<String, String> withPrefix(String prefix, Set<String> shared) {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (shared.contains(k) || k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The topic settings keep their {@code topics.} prefix: that is how TopicSettings reads them. */
  Map<String, String> topics() {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.equals("topic.prefix") || k.startsWith("topics.")) {
            out.put(k, v);
          }
        });
    return out;
  }

  Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides);
    return new Settings(merged);
  }

  String require(String key) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      throw new ConfigException(
          "Missing configuration "
              + key
              + ": set it in --config FILE or as "
              + ConfigLoader.envOf(key));
    }
    return v;
  }

  String get(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }
}
