package dev.hourglass.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@HourglassIT
class TopicProvisionerIT {

  @Test
  void shouldCreateAllEightTopicsOnceAndFindThemUnchangedTheSecondTime(TestKafka kafka)
      throws Exception {
    TopicSettings settings =
        TopicSettings.from(Map.of("topic.prefix", kafka.topic(""), "topics.partitions", "2"));

    try (Admin admin = kafka.admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));
      ProvisionResult first = provisioner.provision(settings);
      ProvisionResult second = provisioner.provision(settings);

      assertThat(first.created()).containsExactlyElementsOf(settings.names().names());
      assertThat(first.unchanged()).isEmpty();
      assertThat(second.created()).isEmpty();
      assertThat(second.unchanged()).containsExactlyInAnyOrderElementsOf(settings.names().names());
      assertThat(second.matches()).isTrue();
      assertThat(second.message()).isEqualTo("topics ready: 0 created, 8 unchanged");
      String stats = settings.names().name("stats");
      assertThat(
              admin
                  .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, stats)))
                  .all()
                  .get()
                  .values()
                  .iterator()
                  .next()
                  .get("cleanup.policy")
                  .value())
          .isEqualTo("compact");
    }
  }

  @Test
  void shouldReportEveryDifferenceOfAnExistingTopicAndLeaveItAlone(TestKafka kafka)
      throws Exception {
    String rollups = kafka.topic("rollups");
    try (Admin admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(rollups, 3, (short) 1)
                      .configs(Map.of("retention.ms", "3600000", "cleanup.policy", "compact"))))
          .all()
          .get();
      TopicSettings settings = TopicSettings.defaults(kafka.topic(""));

      ProvisionResult result =
          new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(settings);

      assertThat(result.created()).hasSize(7).doesNotContain(rollups);
      assertThat(result.mismatched())
          .containsExactly(
              new ProvisionResult.TopicMismatch(
                  rollups,
                  List.of(
                      new ProvisionResult.Difference("partitions", "6", "3"),
                      new ProvisionResult.Difference("cleanup.policy", "delete", "compact"),
                      new ProvisionResult.Difference("retention.ms", "604800000", "3600000"))));
      assertThat(result.message())
          .isEqualTo(
              "topic "
                  + rollups
                  + " exists with different settings (left unchanged): partitions expected 6,"
                  + " actual 3; cleanup.policy expected delete, actual compact; retention.ms"
                  + " expected 604800000, actual 3600000");
      assertThat(
              admin
                  .describeTopics(List.of(rollups))
                  .allTopicNames()
                  .get()
                  .get(rollups)
                  .partitions())
          .hasSize(3);
    }
  }
}
