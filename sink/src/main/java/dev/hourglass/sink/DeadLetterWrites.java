package dev.hourglass.sink;

import dev.hourglass.rollups.DeadLetter;
import java.nio.ByteBuffer;

/**
 * Dead letters, insert-or-ignore on the source position: the streams processor and the sink both
 * dead-letter a poison record of an event topic, and a replay after a crash meets its own rows, so
 * every path converges on one row per (topic, partition, offset).
 */
final class DeadLetterWrites {
  private static final String SQL =
      "INSERT INTO dead_letters (source_topic, source_partition, source_offset, reason_code,"
          + " message, organization_id, event_id, raw_key, raw_value, received_at)"
          + " SELECT u.source_topic, u.source_partition, u.source_offset, u.reason_code, u.message,"
          + " u.organization_id, u.event_id, decode(u.raw_key, 'hex'), decode(u.raw_value, 'hex'), "
          + Sql.ts("u.received_at")
          + " FROM "
          + rows().from()
          + " ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING";

  private final Unnest rows = rows();

  private static Unnest rows() {
    return new Unnest()
        .col("source_topic", "text")
        .col("source_partition", "int4")
        .col("source_offset", "int8")
        .col("reason_code", "text")
        .col("message", "text")
        .col("organization_id", "text")
        .col("event_id", "text")
        .col("raw_key", "text")
        .col("raw_value", "text")
        .col("received_at", "int8");
  }

  /** A dead letter published by the processor (or a producer tool) on the dead-letters topic. */
  void add(DeadLetter d) {
    rows.row(
        Sql.storable(d.getSourceTopic()),
        d.getSourcePartition(),
        d.getSourceOffset(),
        Sql.storable(d.getReasonCode()),
        Sql.storable(d.getMessage()),
        Sql.storable(d.getOrganizationId()),
        Sql.storable(d.getEventId()),
        Sql.hex(bytes(d.getRawKey())),
        Sql.hex(bytes(d.getRawValue())),
        Sql.millis(d.getReceivedAt()));
  }

  /** A record the sink itself could not use: its own position is the source. */
  void add(SinkRecord r, SinkRecord.Rejected why) {
    rows.row(
        r.topic(),
        r.partition(),
        r.offset(),
        why.reasonCode(),
        Sql.storable(why.message()),
        Sql.storable(why.organizationId()),
        Sql.storable(why.eventId()),
        Sql.hex(r.key()),
        Sql.hex(r.value()),
        r.timestamp() >= 0 ? r.timestamp() : System.currentTimeMillis());
  }

  int size() {
    return rows.size();
  }

  Sql.Statement statement() {
    return new Sql.Statement(SQL, rows);
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
