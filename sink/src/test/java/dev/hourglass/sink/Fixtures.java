package dev.hourglass.sink;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.schema.Migrator;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Shared set-up of the sink's integration tests: topics, schema, config, producer, queries. */
final class Fixtures {
  static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  private Fixtures() {}

  static void migrate(TestDatabase db) {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
  }

  /** The contract's topics behind this test's own prefix, the sink's {@code topic.prefix}. */
  static Topics topics(TestKafka kafka) {
    return Topics.withPrefix(kafka.topic(""));
  }

  /** Every topic of the contract, so that a family added to it is read in these tests too. */
  static void createTopics(TestKafka kafka, int partitions) {
    kafka.createTopics(partitions, Topics.BASES.toArray(String[]::new));
  }

  /** Small batches and short waits, so that a few hundred records make many transactions. */
  static Map<String, String> settings(TestKafka kafka, TestDatabase db) {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", kafka.bootstrapServers());
    s.put("topic.prefix", kafka.topic(""));
    s.put("sink.group.id", "sink-" + kafka.topic("group"));
    s.put("jdbc.url", db.jdbcUrl());
    s.put("jdbc.user", db.user());
    s.put("jdbc.password", db.password());
    s.put("sink.batch.size", "50");
    s.put("sink.max.poll.records", "50");
    s.put("sink.batch.max.wait.ms", "100");
    s.put("sink.retry.initial.backoff.ms", "50");
    s.put("sink.retry.max.backoff.ms", "1000");
    s.put("sink.pool.connection.timeout.ms", "1000");
    // A member that stops polling (a crashed instance) leaves the group quickly.
    s.put("sink.consumer.max.poll.interval.ms", "6000");
    s.put("sink.consumer.session.timeout.ms", "6000");
    s.put("sink.consumer.heartbeat.interval.ms", "500");
    // These tests write rollups of 2020, past the retention the maintenance applies, and count
    // alerts exactly: MaintenanceIT runs the maintenance beside the sink.
    s.put(MaintenanceConfig.CHECK_INTERVAL_MS, "0");
    return s;
  }

  static SinkConfig config(TestKafka kafka, TestDatabase db) {
    return SinkConfig.from(settings(kafka, db));
  }

  static KafkaProducer<byte[], byte[]> producer(TestKafka kafka) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p);
  }

  static RecordMetadata send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, SpecificRecord value) {
    return sendRaw(producer, topic, key, FORMAT.encode(value));
  }

  static RecordMetadata sendRaw(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
    try {
      return producer
          .send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("send to " + topic + " failed", e.getCause());
    }
  }

  /** Every row of {@code sql} as {@code a|b|c} text, in the query's order. */
  static List<String> rows(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql);
    }
  }

  static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  /**
   * Waits until the sink's stored offsets equal the topics' ends; fails at once if it stopped. A
   * lag check that cannot get a connection (PostgreSQL just restarted, the pool still reconnecting)
   * is this check failing, not the sink: it counts as not caught up yet.
   */
  static void awaitCaughtUp(SinkApp sink, Duration atMost) {
    org.awaitility.Awaitility.await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(
            e ->
                e instanceof IllegalStateException
                    && e.getCause() instanceof java.sql.SQLTransientConnectionException)
        .until(
            () -> {
              if (sink.failure().isPresent()) {
                throw new AssertionError("sink stopped", sink.failure().get());
              }
              return sink.caughtUp();
            });
  }

  static long count(TestDatabase db, String sql) throws SQLException {
    return Long.parseLong(rows(db, sql).get(0));
  }
}
