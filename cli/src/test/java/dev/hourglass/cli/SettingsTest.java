package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Sources;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void shouldReadEveryComponentFromOneFile(@TempDir Path dir) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("all.properties"),
            String.join(
                "\n",
                "bootstrap.servers=file:9092",
                "jdbc.url=jdbc:postgresql://db/hourglass",
                "jdbc.user=sink",
                "jdbc.password=s3cret",
                "streams.grace.ms=300000",
                "sink.batch.size=100",
                "sink.max.poll.records=100",
                "topics.partitions=12"));
    Settings s =
        new Settings(Sources.read(file, Map.of("HOURGLASS_BOOTSTRAP_SERVERS", "env:9092")));

    ProcessorConfig streams = ProcessorConfig.from(s.read(ProcessorConfig.DECLARATIONS));
    SinkConfig sink = SinkConfig.from(s.read(SinkConfig.DECLARATIONS));

    assertThat(streams.bootstrapServers()).isEqualTo("env:9092");
    assertThat(streams.grace()).isEqualTo(Duration.ofMinutes(5));
    assertThat(sink.batchSize()).isEqualTo(100);
    assertThat(sink.jdbcPassword()).isEqualTo("s3cret");
    assertThat(s.read(Shared.JDBC).getString(Shared.JDBC_USER)).isEqualTo("sink");
  }

  @Test
  void shouldReportAKeyNoComponentDeclaresWithTheProblemsOfTheKeysRead() {
    Settings s =
        new Settings(
            Sources.read(
                null,
                Map.of(
                    "HOURGLASS_JDBC_URI", "jdbc:postgresql://db/x",
                    "HOURGLASS_STREAMS_GRACE", "10m",
                    "HOURGLASS_SINK_BATCH_SIZE", "ten")));

    // A migrate run: the sink's bad value is the sink's to report, the rest is everyone's.
    assertThatThrownBy(() -> s.read(Shared.JDBC))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value jdbc:postgresql://db/x for configuration jdbc.uri: unknown key",
                "Invalid value (not set) for configuration jdbc.url: required, no default",
                "Invalid value (not set) for configuration jdbc.user: required, no default",
                "Invalid value 10m for configuration streams.grace: was renamed to"
                    + " streams.grace.ms (milliseconds)"));
  }
}
