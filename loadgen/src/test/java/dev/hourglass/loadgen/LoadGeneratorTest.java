package dev.hourglass.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  @Test
  void shouldSendAMisroutedEventToThePartitionAfterTheOneKafkasPartitionerGivesItsKey() {
    String[] keys = {
      "0b6a4a51-2f41-4c4e-9a53-6f4f6f0c1a01", "7d1c2f9e-5b0a-4d5e-8f4c-2a9b3c4d5e6f", "", "org-é"
    };
    for (String key : keys) {
      for (int partitions = 2; partitions <= 12; partitions++) {
        // Kafka's own default partitioner, independent of the generator's murmur2 arithmetic.
        int owner =
            BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);

        assertThat(LoadGenerator.wrongPartition(key, partitions))
            .as("key %s, %d partitions", key, partitions)
            .isEqualTo((owner + 1) % partitions)
            .isNotEqualTo(owner);
      }
    }
  }
}
