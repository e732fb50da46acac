package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchSettingsTest {
  /**
   * What a user's -c FILE may hold: each component's tuning, and servers the benchmark replaces.
   */
  private final BenchSettings settings =
      new BenchSettings(
          new Settings(
              Map.of(
                  "bootstrap.servers", "production:9092",
                  "streams.commit.interval.ms", "250",
                  "sink.batch.size", "1000",
                  "topics.partitions", "2")));

  @Test
  void shouldRunTheProcessorWithTheUsersTuningOnTheBenchmarksServers() {
    var config =
        settings.processor(
            Map.of(
                "bootstrap.servers", "bench:1",
                "streams.application.id", "bench-eos-1",
                "streams.state.dir", "state"));

    assertThat(config.bootstrapServers()).isEqualTo("bench:1");
    assertThat(config.applicationId()).isEqualTo("bench-eos-1");
    assertThat(config.commitIntervalMs()).isEqualTo(250);
  }

  @Test
  void shouldRunTheSinkWithTheUsersTuningOnTheBenchmarksServers() {
    var config =
        settings.sink(
            Map.of(
                "bootstrap.servers", "bench:1",
                "jdbc.url", "jdbc:postgresql://localhost:5432/bench",
                "jdbc.user", "postgres",
                "jdbc.password", "",
                "sink.group.id", "bench-sink"));

    assertThat(config.bootstrapServers()).isEqualTo("bench:1");
    assertThat(config.groupId()).isEqualTo("bench-sink");
    assertThat(config.batchSize()).isEqualTo(1000);
  }

  @Test
  void shouldProvisionTheBenchmarksTopicsWithTheUsersTopicSettings() {
    var topics = settings.topics(Map.of("topic.prefix", "bench-eos."));

    assertThat(topics.prefix()).isEqualTo("bench-eos.");
    assertThat(topics.partitions()).isEqualTo(2);
  }
}
