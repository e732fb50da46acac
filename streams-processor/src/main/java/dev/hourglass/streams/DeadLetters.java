package dev.hourglass.streams;

import dev.hourglass.rollups.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/** Builds {@code DeadLetter} records: where a record came from, why it was refused, its bytes. */
final class DeadLetters {
  /** Reason code for an exception while processing one record. */
  static final String PROCESSING_ERROR = "PROCESSING_ERROR";

  /**
   * Reason code for an event whose record key is not its organization_id: counting it where it
   * arrived would split that organization's windows across partitions.
   */
  static final String INVALID_KEY = "INVALID_KEY";

  /**
   * Raw values above this are cut, saying so in the message, so that the dead letter (value plus
   * envelope) still fits the broker's default 1 MiB message limit that the input record met.
   */
  static final int RAW_VALUE_LIMIT = 900 * 1024;

  private DeadLetters() {}

  static DeadLetter of(
      String topic,
      int partition,
      long offset,
      String reason,
      String message,
      String organizationId,
      String eventId,
      byte[] rawKey,
      byte[] rawValue,
      long receivedAt) {
    byte[] value = rawValue;
    String text = message == null ? "" : message;
    if (value != null && value.length > RAW_VALUE_LIMIT) {
      text += " (raw_value cut to " + RAW_VALUE_LIMIT + " of " + value.length + " bytes)";
      value = Arrays.copyOf(value, RAW_VALUE_LIMIT);
    }
    return DeadLetter.newBuilder()
        .setSourceTopic(topic == null ? "" : topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setReasonCode(reason)
        .setMessage(text)
        .setOrganizationId(organizationId)
        .setEventId(eventId)
        .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
        .setRawValue(value == null ? null : ByteBuffer.wrap(value))
        .setReceivedAt(Instant.ofEpochMilli(receivedAt))
        .build();
  }

  /** One line naming the exception: its class and message, and its cause's. */
  static String describe(Throwable e) {
    StringBuilder b = new StringBuilder(e.getClass().getName());
    if (e.getMessage() != null) {
      b.append(": ").append(e.getMessage());
    }
    if (e.getCause() != null && e.getCause() != e) {
      b.append(" (caused by ").append(e.getCause().getClass().getName());
      if (e.getCause().getMessage() != null) {
        b.append(": ").append(e.getCause().getMessage());
      }
      b.append(')');
    }
    return b.toString();
  }
}
