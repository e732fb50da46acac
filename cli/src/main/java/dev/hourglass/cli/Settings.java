package dev.hourglass.cli;

import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Sources;
import dev.hourglass.config.Values;
import dev.hourglass.forwarder.ForwarderConfig;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every component's configuration in one namespace, read once from the file given with {@code -c}
 * and the {@code HOURGLASS_*} environment. Keys several components share stand alone ({@code
 * bootstrap.servers}, {@code topic.prefix}, {@code jdbc.*}); the rest carry their component's
 * prefix ({@code streams.grace.ms}, {@code sink.batch.size}, {@code topics.partitions}), so that
 * one file can hold every component's settings with one meaning per key.
 *
 * @param values the merged settings, file then environment
 */
record Settings(Map<String, String> values) {
  /**
   * Every key of the executable. Whichever command runs, a key that none of them declares is an
   * error, reported with the problems of the keys the command reads.
   */
  static final Declarations ALL =
      Declarations.union(
          Shared.KAFKA,
          Shared.JDBC,
          Shared.METRICS,
          ProcessorConfig.DECLARATIONS,
          SinkConfig.DECLARATIONS,
          TopicSettings.DECLARATIONS,
          ForwarderConfig.DECLARATIONS);

  Settings {
    values = Map.copyOf(values);
  }

  static Settings load(Path file) {
    return new Settings(Sources.read(file, System.getenv()));
  }

  /**
   * The keys {@code declarations} reads, checked by the configuration engine; other components'
   * keys are left to them.
   *
   * @throws dev.hourglass.config.ConfigException naming every problem at once
   */
  Values read(Declarations declarations) {
    return declarations.parse(values, ALL);
  }

  Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides);
    return new Settings(merged);
  }
}
