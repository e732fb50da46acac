package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
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
    assertThat(c.batchMaxWait()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.maxPollRecords()).isEqualTo(1000);
    assertThat(c.poolSize()).isEqualTo(2);
    assertThat(c.poolMaxLifetime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.reads()).isEqualTo(SinkConfig.Reads.ALL);
  }

  @Test
  void shouldReadOnePathWhenAsked() {
    Map<String, String> s = required();
    s.put("sink.reads", "derived");
    assertThat(SinkConfig.from(s).reads()).isEqualTo(SinkConfig.Reads.DERIVED);
    s.put("sink.reads", "rollups");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value rollups for configuration sink.reads: must be one of all, derived,"
                + " events");
  }

  @Test
  void shouldCommitBatchesAsynchronouslyOnlyWhenAsked() {
    Map<String, String> s = required();
    assertThat(SinkConfig.from(s).synchronousCommit()).isTrue();
    s.put("sink.synchronous.commit", "off");
    assertThat(SinkConfig.from(s).synchronousCommit()).isFalse();
    assertThat(SinkConfig.from(s).settings()).containsEntry("sink.synchronous.commit", "off");
    s.put("sink.synchronous.commit", "local");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value local for configuration sink.synchronous.commit: must be one of on,"
                + " off");
  }

  @Test
  void shouldMaskThePasswordWhenPrinted() {
    String text = SinkConfig.from(required()).toString();

    assertThat(text).contains("\n  jdbc.password = <masked>\n").doesNotContain("s3cret-pw");
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    Map<String, String> s = required();
    s.remove("bootstrap.servers");
    s.put("jdbc.url", "jdbc:mysql://x/y");
    s.put("sink.batch.size", "ten");
    s.put("sink.pool.size", "0");
    s.put("sink.retry.initial.backoff.ms", "5000");
    s.put("sink.retry.max.backoff.ms", "1000");
    s.put("sink.consumer.enable.auto.commit", "true");
    s.put("sink.batch.sise", "10");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value (not set) for configuration bootstrap.servers: required, no"
                    + " default",
                "Invalid value jdbc:mysql://x/y for configuration jdbc.url: must start with"
                    + " jdbc:postgresql:",
                "Invalid value 10 for configuration sink.batch.sise: unknown key",
                "Invalid value ten for configuration sink.batch.size: must be a whole number",
                "Invalid value true for configuration sink.consumer.enable.auto.commit: the sink"
                    + " sets it itself; exactly-once depends on it",
                "Invalid value 0 for configuration sink.pool.size: Value must be at least 1",
                "Invalid value 1000 for configuration sink.retry.max.backoff.ms: must be at least"
                    + " sink.retry.initial.backoff.ms (5000)"));
  }

  @Test
  void shouldRefuseMorePolledRecordsThanABatchHolds() {
    Map<String, String> s = required();
    s.put("sink.batch.size", "100");
    s.put("sink.max.poll.records", "500");

    assertThatThrownBy(() -> SinkConfig.from(s))
        .hasMessage(
            "Invalid value 500 for configuration sink.max.poll.records: must be at most"
                + " sink.batch.size (100) so that memory stays bounded");
  }

  @Test
  void shouldRoundTripThroughItsSettings() {
    Map<String, String> s = required();
    s.put("sink.consumer.session.timeout.ms", "10000");
    SinkConfig c = SinkConfig.from(s);

    assertThat(SinkConfig.from(c.settings())).isEqualTo(c);
  }

  @Test
  void shouldPassConsumerOverridesWithoutTheirPrefix() {
    Map<String, String> s = required();
    s.put("sink.consumer.session.timeout.ms", "10000");

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
        .containsEntry(
            "options",
            "-c statement_timeout=60000 -c lock_timeout=10000"
                + " -c idle_in_transaction_session_timeout=30000");
  }
}
