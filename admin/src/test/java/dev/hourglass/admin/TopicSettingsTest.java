package dev.hourglass.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import dev.hourglass.contract.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {

  @Test
  void shouldDefaultToSixPartitionsOneReplicaWeekRetentionAndCompactedStats() {
    TopicSettings s = TopicSettings.defaults("hourglass.");

    assertThat(s.partitions()).isEqualTo(6);
    assertThat(s.replicationFactor()).isEqualTo((short) 1);
    // The contract's eight topics (TopicsTest lists them), under the prefix.
    assertThat(s.names().names()).isEqualTo(Topics.withPrefix("hourglass.").names());
    Map<String, String> events =
        Map.of("cleanup.policy", "delete", "min.insync.replicas", "1", "retention.ms", "604800000");
    assertThat(s.configs().get("task-events")).isEqualTo(events);
    assertThat(s.configs().get("rollups")).isEqualTo(events);
    assertThat(s.configs().get("dead-letters"))
        .isEqualTo(
            Map.of(
                "cleanup.policy",
                "delete",
                "min.insync.replicas",
                "1",
                "retention.ms",
                "2592000000"));
    assertThat(s.configs().get("stats"))
        .isEqualTo(Map.of("cleanup.policy", "compact", "min.insync.replicas", "1"));
    assertThat(s.configs().get("schemas"))
        .isEqualTo(Map.of("cleanup.policy", "compact", "min.insync.replicas", "1"));
  }

  @Test
  void shouldApplyGlobalAndPerTopicSettings() {
    TopicSettings s =
        TopicSettings.from(
            Map.of(
                "topic.prefix", "x.",
                "topics.partitions", "12",
                "topics.replication.factor", "3",
                "topics.min.insync.replicas", "2",
                "topics.events.retention.ms", "86400000",
                "topics.alerts.retention.ms", "3600000",
                "topics.stats.segment.ms", "600000"));

    assertThat(s.partitions()).isEqualTo(12);
    assertThat(s.replicationFactor()).isEqualTo((short) 3);
    assertThat(s.configs().get("agent-events"))
        .isEqualTo(
            Map.of(
                "cleanup.policy",
                "delete",
                "min.insync.replicas",
                "2",
                "retention.ms",
                "86400000"));
    assertThat(s.configs().get("alerts")).containsEntry("retention.ms", "3600000");
    assertThat(s.configs().get("stats")).containsEntry("segment.ms", "600000");
  }

  @Test
  void shouldReportEveryBadSettingAtOnce() {
    assertThatThrownBy(
            () ->
                TopicSettings.from(
                    Map.of(
                        "topics.partitions", "0",
                        "topics.replication.factor", "many",
                        "topics.min.insync.replicas", "2",
                        "topics.metrics.retention.ms", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value 1 for configuration topics.metrics.retention.ms: unknown key",
                "Invalid value 0 for configuration topics.partitions: Value must be at least 1",
                "Invalid value many for configuration topics.replication.factor: must be a whole"
                    + " number"));
  }

  @Test
  void shouldKeepMinInsyncReplicasWithinTheReplicationFactor() {
    assertThatThrownBy(
            () ->
                TopicSettings.from(
                    Map.of(
                        "topics.min.insync.replicas", "2",
                        "topics.alerts.min.insync.replicas", "3",
                        "topics.replication.factor", "2")))
        .hasMessage(
            "Invalid value 3 for configuration topics.alerts.min.insync.replicas: must be a whole"
                + " number from 1 to topics.replication.factor (2)");
    assertThatThrownBy(() -> TopicSettings.from(Map.of("topics.min.insync.replicas", "2")))
        .hasMessage(
            "Invalid value 2 for configuration topics.min.insync.replicas: must be at most"
                + " topics.replication.factor (1)");
  }
}
