package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.contract.Family;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class RoutingTest {
  @Test
  void shouldMapEveryKeyToThePartitionOfKafkasDefaultPartitioner() {
    int compared = 0;
    for (int i = 0; i < 1000; i++) {
      byte[] key =
          UUID.nameUUIDFromBytes(("org-" + i).getBytes(StandardCharsets.UTF_8))
              .toString()
              .getBytes(StandardCharsets.UTF_8);
      for (int partitions = 1; partitions <= 12; partitions++) {
        assertThat(Routing.owner(key, partitions))
            .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
        compared++;
      }
    }
    assertThat(compared).isEqualTo(12_000);
  }

  @Test
  void shouldNameTheReroutedTopicAfterTheApplicationLikeItsOtherInternalTopics() {
    assertThat(Routing.uniform("hourglass-streams", 3).reroutedTopic(Family.AGENT))
        .isEqualTo("hourglass-streams-agent-rerouted-repartition");
  }

  @Test
  void shouldRefuseAFamilyWithoutAPartitionCount() {
    assertThatThrownBy(() -> new Routing("app", Map.of(Family.TASK, 3, Family.AGENT, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value null for the partition count of integration events");
  }
}
