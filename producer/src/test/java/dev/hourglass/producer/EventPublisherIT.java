package dev.hourglass.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@HourglassIT
class EventPublisherIT {
  private static final String ORG_A = "0b6a4a51-2f41-4c4e-9a53-6f4f6f0c1a01";
  private static final String ORG_B = "1b6a4a51-2f41-4c4e-9a53-6f4f6f0c1a02";

  private static PublisherConfig config(TestKafka kafka, Map<String, String> more) {
    Map<String, String> map = new java.util.HashMap<>(more);
    map.put("bootstrap.servers", kafka.bootstrapServers());
    map.put("topic.prefix", kafka.topic(""));
    return PublisherConfig.from(map);
  }

  /** Waits until the broker takes records on every partition. */
  private static void createEventTopics(TestKafka kafka) {
    kafka.createTopics(3, "task-events", "agent-events", "integration-events", "schemas");
  }

  private static TaskEvent task(String org, int i) {
    TaskEvent e = TestEvents.task();
    e.setOrganizationId(org);
    e.setEventId(String.format("00000000-0000-4000-8000-%012d", i));
    e.setOccurredAt(Instant.now().minusSeconds(60));
    return e;
  }

  @Test
  void shouldDeliverEveryEventKeyedByOrganizationToItsTopic(TestKafka kafka) throws Exception {
    createEventTopics(kafka);
    List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
    try (EventPublisher publisher = EventPublisher.create(config(kafka, Map.of()))) {
      for (int i = 0; i < 300; i++) {
        sends.add(publisher.publish(task(i % 2 == 0 ? ORG_A : ORG_B, i)));
      }
      AgentEvent agent = TestEvents.agent();
      agent.setOccurredAt(Instant.now());
      sends.add(publisher.publish(agent));
      IntegrationEvent integration = TestEvents.integration();
      integration.setOccurredAt(Instant.now());
      sends.add(publisher.publish(integration));
    }

    for (CompletableFuture<RecordMetadata> send : sends) {
      assertThat(send).isCompleted();
      assertThat(send.get().offset()).isNotNegative();
    }
    List<ConsumerRecord<String, byte[]>> tasks = kafka.records(kafka.topic("task-events"));
    assertThat(tasks).hasSize(300);
    SingleObjectFormat format = SingleObjectFormat.standard();
    int a = 0;
    for (ConsumerRecord<String, byte[]> r : tasks) {
      TaskEvent decoded = (TaskEvent) format.decode(r.topic(), r.value());
      assertThat(r.key()).isEqualTo(decoded.getOrganizationId());
      a += r.key().equals(ORG_A) ? 1 : 0;
    }
    assertThat(a).isEqualTo(150);
    assertThat(tasks.stream().map(ConsumerRecord::partition).distinct())
        .hasSizeLessThanOrEqualTo(2);
    assertThat(kafka.records(kafka.topic("agent-events"))).hasSize(1);
    assertThat(kafka.records(kafka.topic("integration-events"))).hasSize(1);
  }

  @Test
  void shouldRejectAnInvalidEventBeforeSendingIt(TestKafka kafka) {
    createEventTopics(kafka);
    AgentEvent agent = TestEvents.agent();
    agent.setOccurredAt(Instant.now());
    agent.setCostMicros(-5);

    try (EventPublisher publisher = EventPublisher.create(config(kafka, Map.of()))) {
      assertThatThrownBy(() -> publisher.publish(agent))
          .isInstanceOfSatisfying(
              InvalidEventException.class,
              e ->
                  assertThat(e.violation())
                      .isEqualTo(
                          new Violation(
                              "INVALID_NEGATIVE", "cost_micros", "cost_micros: -5 is negative")))
          .hasMessage(
              "AgentEvent not sent, it fails validation: INVALID_NEGATIVE cost_micros: -5 is negative");
    }

    assertThat(endOffset(kafka, kafka.topic("agent-events"), 3)).isZero();
  }

  @Test
  void shouldFailRetriablyWhenTheTopicStaysMissingForMaxBlock(TestKafka kafka) {
    // No topics created: the first send of a type publishes its schema first, which waits
    // max.block.ms for the schemas topic's metadata, then fails naming that topic.
    try (EventPublisher publisher =
        EventPublisher.create(config(kafka, Map.of("max.block.ms", "300")))) {
      CompletableFuture<RecordMetadata> send = publisher.publish(task(ORG_A, 1));

      assertThatThrownBy(send::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              PublishException.class,
              e -> {
                assertThat(e.retriable()).isTrue();
                assertThat(e.topic()).isEqualTo(kafka.topic("schemas"));
                assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
              });
    }
  }

  @Test
  void shouldFailFatallyForARecordLargerThanTheProducerAllows(TestKafka kafka) {
    createEventTopics(kafka);
    try (EventPublisher publisher =
        EventPublisher.create(config(kafka, Map.of("kafka.max.request.size", "100")))) {
      // A task event and its record headers take more than 100 bytes.
      CompletableFuture<RecordMetadata> send = publisher.publish(task(ORG_A, 1));

      assertThatThrownBy(send::get)
          .cause()
          .isInstanceOfSatisfying(
              PublishException.class,
              e -> {
                assertThat(e.retriable()).isFalse();
                assertThat(e.getCause()).isInstanceOf(RecordTooLargeException.class);
                assertThat(e.getMessage()).startsWith("fatal failure sending to " + e.topic());
              });
    }
  }

  private static long endOffset(TestKafka kafka, String topic, int partitions) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      return consumer.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(TestKafka kafka) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
