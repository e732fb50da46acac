package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.rollups.IntegrationRollup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's experiment on a real broker, exactly-once: eleven integration events of one
 * organization, same type and hour, ten on its key's partition and one on another (as a client with
 * librdkafka's partitioner would write it), make one rollup of eleven.
 */
@HourglassIT
class MisroutedRecordsIT {
  private static final int PARTITIONS = 3;
  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  @Test
  void shouldCountElevenEventsSpreadOverTwoPartitionsInOneRollupOfEleven(
      TestKafka kafka, @TempDir Path state) throws Exception {
    kafka.createTopics(PARTITIONS, Topics.BASES.toArray(String[]::new));
    ProcessorConfig config =
        ProcessorConfig.from(
            Map.of(
                ProcessorConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ProcessorConfig.APPLICATION_ID, kafka.topic("app"),
                ProcessorConfig.TOPIC_PREFIX, kafka.topic(""),
                ProcessorConfig.STATE_DIR, state.toString(),
                ProcessorConfig.EMIT_INTERVAL_MS, "200",
                ProcessorConfig.COMMIT_INTERVAL_MS, "200"));
    Topics topics = config.topics();
    String input = topics.events(Family.INTEGRATION).name();
    String org = MisroutedRecordsTest.organizationOwnedBy(0);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      for (int i = 0; i < 11; i++) {
        int partition = i < 10 ? 0 : 2;
        IntegrationEvent event =
            IntegrationEvent.newBuilder()
                .setEventId(
                    UUID.nameUUIDFromBytes(("e" + i).getBytes(StandardCharsets.UTF_8)).toString())
                .setOccurredAt(HOUR.plusSeconds(60L * i))
                .setOrganizationId(org)
                .setIntegrationType("github")
                .setEventType("pull_request.opened")
                .setStatus(IntegrationStatus.SUCCESS)
                .setProcessed(true)
                .setLatencyMs(10)
                .build();
        producer.send(
            new ProducerRecord<>(
                input, partition, org.getBytes(StandardCharsets.UTF_8), FORMAT.encode(event)));
      }
      producer.flush();
    }

    try (StreamsProcessorApp app = StreamsProcessorApp.start(config);
        KafkaConsumer<String, byte[]> rollups =
            StreamsProcessorIT.consumer(kafka, topics.rollups().name());
        KafkaConsumer<String, byte[]> stats =
            StreamsProcessorIT.consumer(kafka, topics.stats().name())) {
      Map<String, String> books = new HashMap<>();
      long[] latestCount = {-1};
      long[] latestRevision = {-1};
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, byte[]> r : rollups.poll(Duration.ofMillis(100))) {
                  SpecificRecord v =
                      AvroSerdes.anyRecord().deserializer().deserialize(r.topic(), r.value());
                  IntegrationRollup rollup = (IntegrationRollup) v;
                  // One window only: any rollup from a second task would have its own revisions.
                  assertThat(rollup.getRevision()).isGreaterThan(latestRevision[0]);
                  latestRevision[0] = rollup.getRevision();
                  latestCount[0] = rollup.getMeasures().getEventCount();
                }
                for (ConsumerRecord<String, byte[]> r : stats.poll(Duration.ofMillis(100))) {
                  books.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
                }
                assertThat(latestCount[0]).isEqualTo(11L);
                assertThat(books.get(input + "-0")).startsWith("{\"counted\":11,");
                assertThat(books.get(input + "-2"))
                    .startsWith(
                        "{\"counted\":0,\"duplicates_suppressed\":0,\"late_corrected\":0,"
                            + "\"rerouted\":1,\"dead_lettered\":{},");
              });
      assertThat(books.get(input + "-0"))
          .startsWith(
              "{\"counted\":11,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,");
      assertThat(
              kafka
                  .admin()
                  .describeTopics(
                      List.of(Routing.reroutedTopic(config.applicationId(), Family.INTEGRATION)))
                  .allTopicNames()
                  .get()
                  .values()
                  .iterator()
                  .next()
                  .partitions())
          .hasSize(PARTITIONS);
      assertThat(app.state().isRunningOrRebalancing()).isTrue();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(TestKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }
}
