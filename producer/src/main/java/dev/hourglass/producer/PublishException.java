package dev.hourglass.producer;

import org.apache.kafka.common.errors.RetriableException;

/**
 * A send that failed after it was handed to Kafka, on the failed future of {@link EventPublisher}.
 * {@link #retriable()} tells a caller whether sending the same event again may succeed (broker
 * unavailable, timeout, full buffer) or cannot (record too large, not authorized, producer fenced):
 * the idempotent producer has already retried within {@code delivery.timeout.ms} either way.
 */
public final class PublishException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final boolean retriable;

  PublishException(String message, String topic, boolean retriable, Throwable cause) {
    super(message, cause);
    this.topic = topic;
    this.retriable = retriable;
  }

  /** Wraps Kafka's exception for a send to {@code topic}, classifying it. */
  static PublishException of(String topic, Throwable cause) {
    boolean retriable = isRetriable(cause);
    return new PublishException(
        (retriable ? "retriable" : "fatal")
            + " failure sending to "
            + topic
            + ": "
            + cause.getClass().getSimpleName()
            + ": "
            + cause.getMessage(),
        topic,
        retriable,
        cause);
  }

  /**
   * Kafka marks transient errors (connection lost, not enough replicas, timeouts including a full
   * buffer) with {@link RetriableException}; everything else (authorization, record too large,
   * fencing, serialization, a closed producer) will fail again.
   */
  static boolean isRetriable(Throwable cause) {
    return cause instanceof RetriableException;
  }

  public String topic() {
    return topic;
  }

  /** Whether sending the same event again later may succeed. */
  public boolean retriable() {
    return retriable;
  }
}
