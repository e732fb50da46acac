package dev.hourglass.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The streams processor's books, summed over input partitions: the latest record per key of the
 * compacted stats topic (committed records only, so exact under exactly-once). A re-routed record
 * was forwarded by the partition it arrived on and is counted (or suppressed, or dead-lettered) by
 * the partition that owns its key: {@code rerouted} is shown apart, never added to the books.
 */
public record StreamStats(
    long counted,
    long duplicatesSuppressed,
    long lateCorrected,
    long rerouted,
    Map<String, Long> deadLettered) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public long deadLetteredTotal() {
    return deadLettered.values().stream().mapToLong(Long::longValue).sum();
  }

  public static StreamStats read(String bootstrapServers, String topic) {
    return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic);
  }

  /** The counters on {@code topic}, read with {@code client} (brokers and security). */
  public static StreamStats read(Map<String, Object> client, String topic) {
    Map<String, String> latest = new HashMap<>();
    Map<String, Object> settings = new HashMap<>(client);
    settings.putAll(
        Map.of(
            ConsumerConfig.GROUP_ID_CONFIG,
            "hourglass-stats-" + UUID.randomUUID(),
            // Counters of aborted transactions were never true.
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false));
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("stats topic " + topic + " not read within 30 s");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          latest.put(r.key(), r.value());
        }
      }
    }
    long counted = 0;
    long duplicates = 0;
    long late = 0;
    long rerouted = 0;
    Map<String, Long> dead = new TreeMap<>();
    for (String value : latest.values()) {
      try {
        JsonNode n = JSON.readTree(value);
        counted += n.path("counted").asLong();
        duplicates += n.path("duplicates_suppressed").asLong();
        late += n.path("late_corrected").asLong();
        rerouted += n.path("rerouted").asLong();
        n.path("dead_lettered")
            .properties()
            .forEach(e -> dead.merge(e.getKey(), e.getValue().asLong(), Long::sum));
      } catch (IOException e) {
        throw new UncheckedIOException("unreadable stats record " + value, e);
      }
    }
    return new StreamStats(counted, duplicates, late, rerouted, dead);
  }
}
