package dev.hourglass.cli;

import dev.hourglass.admin.TopicSettings;
import dev.hourglass.bench.ComponentSettings;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.util.Map;

/**
 * The settings a benchmark runs the components with: the user's (file and environment, read as for
 * {@code hourglass streams} and {@code hourglass sink}) with the benchmark's own on top.
 */
final class BenchSettings implements ComponentSettings {
  private final Settings settings;

  BenchSettings(Settings settings) {
    this.settings = settings;
  }

  @Override
  public TopicSettings topics(Map<String, String> overrides) {
    return TopicSettings.from(settings.with(overrides).topics());
  }

  @Override
  public ProcessorConfig processor(Map<String, String> overrides) {
    Map<String, String> s = settings.component("streams.", Settings.KAFKA_ONLY);
    s.putAll(overrides);
    return ProcessorConfig.from(s);
  }

  @Override
  public SinkConfig sink(Map<String, String> overrides) {
    Map<String, String> s = settings.component("sink.");
    s.putAll(overrides);
    return SinkConfig.from(s);
  }
}
