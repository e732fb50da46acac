package dev.hourglass.cli;

import dev.hourglass.admin.TopicSettings;
import dev.hourglass.bench.ComponentSettings;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.util.Map;

/**
 * The settings a benchmark runs the components with: the user's (file and environment, read as for
 * {@code hourglass streams} and {@code hourglass sink}) with the benchmark's own on top, checked by
 * the same configuration engine.
 */
final class BenchSettings implements ComponentSettings {
  private final Settings settings;

  BenchSettings(Settings settings) {
    this.settings = settings;
  }

  @Override
  public TopicSettings topics(Map<String, String> overrides) {
    return TopicSettings.from(settings.with(overrides).read(TopicSettings.DECLARATIONS));
  }

  @Override
  public ProcessorConfig processor(Map<String, String> overrides) {
    return ProcessorConfig.from(settings.with(overrides).read(ProcessorConfig.DECLARATIONS));
  }

  @Override
  public SinkConfig sink(Map<String, String> overrides) {
    return SinkConfig.from(settings.with(overrides).read(SinkConfig.DECLARATIONS));
  }
}
