package dev.hourglass.avro;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serdes over a {@link RecordFormat}, for clients and Kafka Streams. Deserializers throw
 * {@link BadRecordException} for bytes they cannot read, never return a wrong or partial record.
 */
public final class AvroSerdes {
  private static final RecordFormat STANDARD = SingleObjectFormat.standard();

  private AvroSerdes() {}

  /** A serde for exactly {@code type} in the standard single-object format. */
  public static <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
    return serde(type, STANDARD);
  }

  public static <T extends SpecificRecord> Serde<T> serde(Class<T> type, RecordFormat format) {
    Serializer<T> serializer = (topic, record) -> record == null ? null : format.encode(record);
    Deserializer<T> deserializer =
        (topic, bytes) -> {
          SpecificRecord record = format.decode(topic, bytes);
          if (!type.isInstance(record)) {
            throw new BadRecordException(
                BadRecordException.Reason.WRONG_TYPE,
                topic,
                "expected " + type.getSimpleName() + ", got " + record.getSchema().getFullName(),
                null);
          }
          return type.cast(record);
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** A serde for topics that carry several types (the rollups topic): any known record. */
  public static Serde<SpecificRecord> anyRecord() {
    return serde(SpecificRecord.class, STANDARD);
  }
}
