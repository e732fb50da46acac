package dev.hourglass.bench;

import dev.hourglass.admin.TopicSettings;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.util.Map;
import picocli.CommandLine;

/** The bench ITs' settings: the components' defaults, as with no -c FILE and no HOURGLASS_*. */
final class DefaultSettings implements ComponentSettings {
  static final DefaultSettings INSTANCE = new DefaultSettings();

  private DefaultSettings() {}

  /** {@code hourglass bench} as the CLI registers it, on the defaults. */
  static CommandLine bench() {
    return new CommandLine(new BenchCommand(file -> INSTANCE));
  }

  @Override
  public TopicSettings topics(Map<String, String> overrides) {
    return TopicSettings.from(overrides);
  }

  @Override
  public ProcessorConfig processor(Map<String, String> overrides) {
    return ProcessorConfig.from(overrides);
  }

  @Override
  public SinkConfig sink(Map<String, String> overrides) {
    return SinkConfig.from(overrides);
  }
}
