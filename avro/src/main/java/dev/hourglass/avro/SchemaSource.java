package dev.hourglass.avro;

import java.util.Optional;

/**
 * Where a reader looks up a writer schema it was not built with, by its CRC-64-AVRO fingerprint.
 * Lets a process read records written with a newer schema version than its own, as long as that
 * version was published ({@link SchemaTopic}) and resolves into the type this process knows.
 */
@FunctionalInterface
public interface SchemaSource {
  /** A source that knows nothing: only the schemas built into the process are readable. */
  SchemaSource NONE = fingerprint -> Optional.empty();

  /**
   * The writer schema with this fingerprint, if it has been published.
   *
   * @throws org.apache.kafka.common.KafkaException when the source cannot be read now (retriable:
   *     the record is not at fault and must not be dead-lettered)
   */
  Optional<org.apache.avro.Schema> find(long fingerprint);
}
