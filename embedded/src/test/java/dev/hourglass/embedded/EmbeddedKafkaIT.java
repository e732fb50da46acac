package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@HourglassIT
class EmbeddedKafkaIT {

  @Test
  void shouldShowReadCommittedConsumerOnlyCommittedTransactions(TestKafka kafka) throws Exception {
    kafka.createTopics(1, "tx");
    String topic = kafka.topic("tx");
    try (KafkaProducer<String, String> producer =
        transactionalProducer(kafka.bootstrapServers(), kafka.topic("tx-producer"))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-3"));
      producer.commitTransaction();
    }

    assertThat(readAll(kafka.bootstrapServers(), topic, "read_committed", 3))
        .containsExactly("committed-1", "committed-2", "committed-3");
    assertThat(readAll(kafka.bootstrapServers(), topic, "read_uncommitted", 4))
        .containsExactly("committed-1", "committed-2", "aborted", "committed-3");
  }

  @Test
  void shouldKeepTopicsAndRecordsAcrossRestartOnSameDataDirectory(@TempDir Path dir)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("kafka"));
    int port;
    try (EmbeddedKafka first = EmbeddedKafka.start(EmbeddedKafka.Options.persistent(data, 0))) {
      port = first.port();
      TestKafka view = new TestKafka(first.bootstrapServers(), "restart");
      view.createTopics(1, "durable");
      try (KafkaProducer<String, String> producer =
          transactionalProducer(first.bootstrapServers(), "restart-tx")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("restart.durable", "k", "before-restart"));
        producer.commitTransaction();
      }
    }

    try (EmbeddedKafka second = EmbeddedKafka.start(EmbeddedKafka.Options.persistent(data, port))) {
      assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      assertThat(readAll(second.bootstrapServers(), "restart.durable", "read_committed", 1))
          .containsExactly("before-restart");
    }
    assertThat(data.resolve("kraft-combined-logs/meta.properties")).exists();
  }

  private static KafkaProducer<String, String> transactionalProducer(
      String bootstrap, String transactionalId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId),
        new StringSerializer(),
        new StringSerializer());
  }

  private static List<String> readAll(
      String bootstrap, String topic, String isolation, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                topic + "-" + isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
      // One more poll: anything past the expected count would be an extra record.
      consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
    }
    return values;
  }
}
