package dev.hourglass.bench;

import dev.hourglass.admin.TopicSettings;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.util.Map;

/**
 * The components' configuration as the user gave it ({@code -c FILE} and the {@code HOURGLASS_*}
 * environment, read by the CLI as for production), so that a benchmark measures the components as
 * tuned. A benchmark adds what is its own (servers, topic prefix, application and group ids) as
 * overrides, in the keys users write: {@code streams.application.id}, {@code sink.group.id}.
 */
public interface ComponentSettings {
  /** The topic settings ({@code topic.prefix}, {@code topics.*}) with {@code overrides}. */
  TopicSettings topics(Map<String, String> overrides);

  /** The streams processor's configuration with {@code overrides}. */
  ProcessorConfig processor(Map<String, String> overrides);

  /** The sink's configuration with {@code overrides}. */
  SinkConfig sink(Map<String, String> overrides);
}
