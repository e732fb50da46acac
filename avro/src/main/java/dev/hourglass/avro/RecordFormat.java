package dev.hourglass.avro;

import org.apache.avro.specific.SpecificRecord;

/**
 * How records become bytes on a topic and back. The one implementation today is {@link
 * SingleObjectFormat}; a registry-based format would be another implementation, and callers (the
 * serdes) would not change.
 */
public interface RecordFormat {

  byte[] encode(SpecificRecord record);

  /**
   * Decodes bytes written with any known version of any known schema into the current version of
   * that type.
   *
   * @throws BadRecordException when the bytes are not a record this format can read
   */
  SpecificRecord decode(String topic, byte[] bytes);
}
