package dev.hourglass.avro;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The published writer schemas: a compacted topic keyed by the schema's fingerprint as 16 lowercase
 * hex digits, each value the schema's JSON in UTF-8. A producer publishes a schema (and waits for
 * the acknowledgement) before its first record written with it; a reader that meets a fingerprint
 * it was not built with reads the topic to its end and looks again. That is how a process reads
 * records of a newer schema version than its own ({@code docs/clients.md}, "Rolling out a schema
 * change"), with no registry server.
 *
 * <p>Each lookup of an unknown fingerprint costs one read to the end of the topic (usually nothing
 * new to fetch); known and already-published fingerprints cost nothing. Thread-safe.
 */
public final class SchemaTopic implements SchemaSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaTopic.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private final Map<String, Object> clientProperties;
  private final String topic;
  private final Map<Long, Schema> seen = new HashMap<>();
  private Consumer<String, byte[]> consumer;

  private SchemaTopic(Map<String, Object> clientProperties, String topic) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = topic;
  }

  /**
   * A source reading {@code topic} with a consumer of its own, built on first use from {@code
   * clientProperties} (bootstrap servers and any security settings).
   */
  public static SchemaTopic reading(Map<String, Object> clientProperties, String topic) {
    return new SchemaTopic(clientProperties, topic);
  }

  /** Publishes {@code schema} under its fingerprint; wait on the future before using the schema. */
  public static Future<RecordMetadata> publish(
      Producer<String, byte[]> producer, String topic, Schema schema) {
    return producer.send(
        new ProducerRecord<>(
            topic, key(KnownSchemas.fingerprint(schema)), schema.toString().getBytes(UTF8)));
  }

  /**
   * Publishes each of {@code schemas} with a producer of its own and waits until all are
   * acknowledged: what a process that writes records calls before it writes any.
   *
   * @throws IllegalStateException naming the topic when they are not acknowledged in time
   */
  public static void publishAll(
      Map<String, Object> clientProperties, String topic, List<Schema> schemas) {
    Map<String, Object> p = new HashMap<>(clientProperties);
    // A schema is acknowledged only once every in-sync replica has it, as the records will be.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "hourglass-schemas-" + System.identityHashCode(p));
    // Bounded: an unreachable or missing topic fails the start instead of hanging it.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Producer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent =
          schemas.stream().map(s -> publish(producer, topic, s)).toList();
      for (Future<RecordMetadata> f : sent) {
        f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot publish the writer schemas to topic "
              + topic
              + " ("
              + cause
              + "); `hourglass topics` creates it",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted publishing the writer schemas to " + topic, e);
    }
  }

  /** The key a schema with {@code fingerprint} is published under. */
  public static String key(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  @Override
  public synchronized Optional<Schema> find(long fingerprint) {
    Schema schema = seen.get(fingerprint);
    if (schema == null) {
      readToEnd();
      schema = seen.get(fingerprint);
    }
    return Optional.ofNullable(schema);
  }

  private void readToEnd() {
    if (consumer == null) {
      consumer = open();
    }
    if (consumer.assignment().isEmpty()) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, TIMEOUT);
      if (partitions == null || partitions.isEmpty()) {
        // Not provisioned: nothing was published, so no unknown schema can be resolved yet.
        return;
      }
      consumer.assign(
          partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList());
      consumer.seekToBeginning(consumer.assignment());
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), TIMEOUT);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("reading the schemas topic " + topic + " took over " + TIMEOUT);
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        add(record);
      }
    }
  }

  private void add(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      Schema schema = new Schema.Parser().parse(new String(record.value(), UTF8));
      String fingerprint = key(KnownSchemas.fingerprint(schema));
      if (fingerprint.equals(record.key())) {
        seen.put(KnownSchemas.fingerprint(schema), schema);
      } else {
        LOG.warn(
            "Ignoring the schema at {}-{}@{}: published under key {} but its fingerprint is {}",
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            fingerprint);
      }
    } catch (SchemaParseException e) {
      LOG.warn(
          "Ignoring the value at {}-{}@{}: not an Avro schema ({})",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  private Consumer<String, byte[]> open() {
    Map<String, Object> p = new HashMap<>(clientProperties);
    // Assigned partitions and no group: every reader reads the whole topic, nothing is committed.
    // The owner's group settings (static membership, group protocol) belong to its own consumer.
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    p.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
    p.remove(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "hourglass-schemas-" + System.identityHashCode(this));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      consumer = null;
    }
  }
}
