package dev.hourglass.streams;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.rollups.DeadLetter;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Where both Kafka Streams error handlers send a dead letter: the topic named by {@code
 * errors.dead.letter.queue.topic.name}, the {@code DeadLetter} Avro-encoded, keyed by the source
 * record's raw key.
 */
final class DeadLetterTopic {
  private final String name;
  private final Serializer<DeadLetter> serializer = AvroSerdes.serde(DeadLetter.class).serializer();

  private DeadLetterTopic(String name) {
    this.name = name;
  }

  /**
   * The topic of a handler's configuration.
   *
   * @throws IllegalArgumentException when it is missing or blank
   */
  static DeadLetterTopic from(Map<String, ?> configs) {
    Object name = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (!(name instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid value "
              + name
              + " for configuration "
              + StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
              + ": the dead-letter topic is required");
    }
    return new DeadLetterTopic(s);
  }

  /** The record that carries {@code deadLetter} to the topic, with the source's raw key. */
  ProducerRecord<byte[], byte[]> record(byte[] rawKey, DeadLetter deadLetter) {
    return new ProducerRecord<>(name, null, rawKey, serializer.serialize(name, deadLetter));
  }
}
