package dev.hourglass.sink;

/**
 * One consumed record, decoded: {@code payload} is the Avro record to write, or a {@link Rejected}
 * when the bytes could not be used (the record is then dead-lettered).
 */
record SinkRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    Object payload) {

  /**
   * Why a record is dead-lettered instead of written.
   *
   * @param reasonCode a reason code of docs/contracts.md
   * @param message what was wrong
   * @param organizationId when the record decoded far enough to tell, else null
   * @param eventId when the record decoded far enough to tell, else null
   */
  record Rejected(String reasonCode, String message, String organizationId, String eventId) {}

  SinkRecord rejected(Rejected why) {
    return new SinkRecord(topic, partition, offset, timestamp, key, value, why);
  }
}
