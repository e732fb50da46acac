package dev.hourglass.bench.peers;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import java.time.Clock;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * An event topic's value for the peers: the Avro single-object encoding decoded, then checked with
 * the same validator Hourglass uses. A record that does not decode (poison) or breaks a rule
 * (invalid) is a deserialization error, which each peer handles as its documentation recommends:
 * Kafka Streams sends it to its dead-letter topic and goes on, Flink's source skips it. So the
 * peers drop exactly what Hourglass dead-letters, and differ only in what they do with the rest.
 */
final class ValidatingEventDeserializer implements Deserializer<SpecificRecord> {
  private final RecordFormat format = SingleObjectFormat.standard();
  private final EventValidator validator = EventValidator.standard(Clock.systemUTC());

  @Override
  public SpecificRecord deserialize(String topic, byte[] bytes) {
    SpecificRecord event;
    try {
      event = format.decode(topic, bytes);
    } catch (BadRecordException e) {
      throw new SerializationException(e.reason() + ": " + e.getMessage(), e);
    }
    Optional<Violation> violation = validator.validate(event);
    if (violation.isPresent()) {
      throw new SerializationException(
          violation.get().reasonCode() + ": " + violation.get().message());
    }
    return event;
  }
}
