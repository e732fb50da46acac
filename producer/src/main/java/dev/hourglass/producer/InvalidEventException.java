package dev.hourglass.producer;

import dev.hourglass.avro.Violation;

/**
 * An event that breaks a validation rule; thrown by {@link EventPublisher} before anything is sent.
 * Not retriable: the same event fails the same way.
 */
public final class InvalidEventException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Violation violation;
  private final String eventType;

  InvalidEventException(String eventType, Violation violation) {
    super(
        eventType
            + " not sent, it fails validation: "
            + violation.reasonCode()
            + " "
            + violation.message());
    this.eventType = eventType;
    this.violation = violation;
  }

  /** The rule broken: reason code, field and message. */
  public Violation violation() {
    return violation;
  }

  /** The event's type, for example {@code TaskEvent}. */
  public String eventType() {
    return eventType;
  }
}
