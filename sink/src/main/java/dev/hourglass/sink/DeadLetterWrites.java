package dev.hourglass.sink;

import dev.hourglass.rollups.DeadLetter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead letters, insert-or-ignore on the source position: the streams processor and the sink both
 * dead-letter a poison record of an event topic, and a replay after a crash meets its own rows, so
 * every path converges on one row per (topic, partition, offset).
 */
final class DeadLetterWrites {
  /** A row of {@code dead_letters}; raw bytes as hex, decoded by the statement. */
  record Row(
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      String reasonCode,
      String message,
      String organizationId,
      String eventId,
      String rawKey,
      String rawValue,
      long receivedAt) {}

  private static final Unnest<Row> COLUMNS =
      new Unnest<Row>()
          .col("source_topic", "text", Row::sourceTopic)
          .col("source_partition", "int4", Row::sourcePartition)
          .col("source_offset", "int8", Row::sourceOffset)
          .col("reason_code", "text", Row::reasonCode)
          .col("message", "text", Row::message)
          .col("organization_id", "text", Row::organizationId)
          .col("event_id", "text", Row::eventId)
          .col("raw_key", "text", Row::rawKey)
          .col("raw_value", "text", Row::rawValue)
          .col("received_at", "int8", Row::receivedAt);

  private static final String SQL =
      "INSERT INTO dead_letters (source_topic, source_partition, source_offset, reason_code,"
          + " message, organization_id, event_id, raw_key, raw_value, received_at)"
          + " SELECT u.source_topic, u.source_partition, u.source_offset, u.reason_code, u.message,"
          + " u.organization_id, u.event_id, decode(u.raw_key, 'hex'), decode(u.raw_value, 'hex'), "
          + Sql.ts("u.received_at")
          + " FROM "
          + COLUMNS.from()
          + " ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING";

  private final List<Row> rows = new ArrayList<>();

  /** A dead letter published by the processor (or a producer tool) on the dead-letters topic. */
  void add(DeadLetter d) {
    rows.add(
        new Row(
            Sql.storable(d.getSourceTopic()),
            d.getSourcePartition(),
            d.getSourceOffset(),
            Sql.storable(d.getReasonCode()),
            Sql.storable(d.getMessage()),
            Sql.storable(d.getOrganizationId()),
            Sql.storable(d.getEventId()),
            Sql.hex(bytes(d.getRawKey())),
            Sql.hex(bytes(d.getRawValue())),
            Sql.millis(d.getReceivedAt())));
  }

  /** A record the sink itself could not use: its own position is the source. */
  void add(SinkRecord r, SinkRecord.Rejected why) {
    rows.add(
        new Row(
            r.topic(),
            r.partition(),
            r.offset(),
            why.reasonCode(),
            Sql.storable(why.message()),
            Sql.storable(why.organizationId()),
            Sql.storable(why.eventId()),
            Sql.hex(r.key()),
            Sql.hex(r.value()),
            r.timestamp() >= 0 ? r.timestamp() : System.currentTimeMillis()));
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  Sql.Statement statement() {
    return new Sql.Statement("dead_letters", SQL, COLUMNS.rows(rows));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
