package dev.hourglass.avro;

import java.util.Objects;

/**
 * Why an event was refused: a reason code (the dead-letter reason), the field, and a one-line
 * message naming the field and its value, for example {@code cost_micros: -5 is negative}.
 *
 * @param reasonCode one of the {@code INVALID_*} constants of this class
 * @param field the Avro field name, for example {@code organization_id}
 * @param message one line that starts with the field name and quotes the value
 */
public record Violation(String reasonCode, String field, String message) {
  /** A required field is null or empty. */
  public static final String INVALID_REQUIRED = "INVALID_REQUIRED";

  /** An identifier field is not canonical UUID text. */
  public static final String INVALID_UUID = "INVALID_UUID";

  /** A count, amount or duration is below zero. */
  public static final String INVALID_NEGATIVE = "INVALID_NEGATIVE";

  /** A double is NaN or infinite. */
  public static final String INVALID_NOT_FINITE = "INVALID_NOT_FINITE";

  /** A free-text field is longer than {@link ValidationLimits#maxStringLength()}. */
  public static final String INVALID_TOO_LONG = "INVALID_TOO_LONG";

  /** The payload is larger than {@link ValidationLimits#maxPayloadBytes()} in UTF-8. */
  public static final String INVALID_PAYLOAD_TOO_LARGE = "INVALID_PAYLOAD_TOO_LARGE";

  /** The event time is further ahead of the clock than {@link ValidationLimits#maxFutureSkew()}. */
  public static final String INVALID_FUTURE_TIME = "INVALID_FUTURE_TIME";

  /** A value outside its allowed range (priority 1..5, performance_score [0, 1]). */
  public static final String INVALID_RANGE = "INVALID_RANGE";

  public Violation {
    Objects.requireNonNull(reasonCode, "reasonCode");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
