package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.contract.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {
  private static Map<String, String> required() {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", "localhost:9092");
    s.put("jdbc.url", "jdbc:postgresql://localhost:5432/hourglass");
    s.put("jdbc.user", "sink");
    s.put("jdbc.password", "s3cret-pw");
    return s;
  }

  @Test
  void shouldApplyDefaultsToAbsentKeys() {
    SinkConfig c = SinkConfig.from(required());

    assertThat(c.topicPrefix()).isEqualTo("hourglass.").isEqualTo(Topics.DEFAULT_PREFIX);
    assertThat(c.groupId()).isEqualTo("hourglass-sink");
    assertThat(c.batchSize()).isEqualTo(5000);
    assertThat(c.batchMaxWait()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxPollRecords()).isEqualTo(1000);
    assertThat(c.poolSize()).isEqualTo(2);
    assertThat(c.poolMaxLifetime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldMaskThePasswordWhenPrinted() {
    String text = SinkConfig.from(required()).toString();

    assertThat(text).contains("jdbc.password=<masked>").doesNotContain("s3cret-pw");
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    Map<String, String> s = required();
    s.remove("bootstrap.servers");
    s.put("jdbc.url", "jdbc:mysql://x/y");
    s.put("batch.size", "ten");
    s.put("pool.size", "0");
    s.put("retry.initial.backoff.ms", "5000");
    s.put("retry.max.backoff.ms", "1000");
    s.put("consumer.enable.auto.commit", "true");
    s.put("batch.sise", "10");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value 10 for configuration batch.sise: unknown key",
                "Invalid value ten for configuration batch.size: must be a whole number",
                "Invalid value null for configuration bootstrap.servers: must be set",
                "Invalid value jdbc:mysql://x/y for configuration jdbc.url: must start with"
                    + " jdbc:postgresql:",
                "Invalid value 0 for configuration pool.size: must be between 1 and 16",
                "Invalid value 1000 for configuration retry.max.backoff.ms: must be at least"
                    + " retry.initial.backoff.ms (5000)",
                "Invalid value true for configuration consumer.enable.auto.commit: the sink sets"
                    + " it itself; exactly-once depends on it"));
  }

  @Test
  void shouldRefuseMorePolledRecordsThanABatchHolds() {
    Map<String, String> s = required();
    s.put("batch.size", "100");
    s.put("max.poll.records", "500");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .hasMessage(
            "Invalid value 500 for configuration max.poll.records: must be at most batch.size"
                + " (100) so that memory stays bounded");
  }

  @Test
  void shouldPassConsumerOverridesWithoutTheirPrefix() {
    Map<String, String> s = required();
    s.put("consumer.session.timeout.ms", "10000");

    SinkConfig c = SinkConfig.from(s);

    assertThat(c.consumerOverrides()).containsExactly(Map.entry("session.timeout.ms", "10000"));
    assertThat(SinkApp.consumerProperties(c))
        .containsEntry("session.timeout.ms", "10000")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("isolation.level", "read_committed");
  }

  @Test
  void shouldSizeThePoolSmallWithTransactionsAndAShortLifetime() {
    var hikari = SinkApp.hikari(SinkConfig.from(required()));

    assertThat(hikari.getMaximumPoolSize()).isEqualTo(2);
    assertThat(hikari.isAutoCommit()).isFalse();
    assertThat(hikari.getMaxLifetime()).isEqualTo(1_800_000);
    assertThat(hikari.getConnectionTimeout()).isEqualTo(5_000);
    assertThat(hikari.getDataSourceProperties())
        .containsEntry("options", "-c statement_timeout=60000");
  }
}
