package dev.hourglass.avro;

/**
 * Bytes that are not a record we can read. Says what was wrong ({@link #reason()}) and where
 * ({@link #topic()}), so that callers dead-letter the record with that reason.
 */
public final class BadRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the bytes were refused; the name is the dead-letter reason code. */
  public enum Reason {
    /** Null, or does not start with the single-object marker C3 01. */
    NOT_SINGLE_OBJECT,
    /** The writer schema's fingerprint is not in the schema store. */
    UNKNOWN_FINGERPRINT,
    /** The body ends before the record does, or cannot be decoded with the writer schema. */
    TRUNCATED,
    /** A record of another type than the one this serde reads. */
    WRONG_TYPE
  }

  private final Reason reason;
  private final String topic;

  public BadRecordException(Reason reason, String topic, String detail, Throwable cause) {
    super(reason + " on topic " + topic + ": " + detail, cause);
    this.reason = reason;
    this.topic = topic;
  }

  public Reason reason() {
    return reason;
  }

  public String topic() {
    return topic;
  }
}
