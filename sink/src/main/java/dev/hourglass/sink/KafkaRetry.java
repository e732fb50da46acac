package dev.hourglass.sink;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a step of the sink's loop that needs the brokers outside the consumer's own poll:
 * decoding a record written with a schema this process has not seen reads the schemas topic, which
 * throws Kafka's {@code TimeoutException} when the brokers stay unreachable for 30 s. The sink
 * rides out a broker outage as it rides out a database one: the same bounded exponential backoff
 * ({@code sink.retry.*}), each attempt logged, retrying past the attempts at the longest wait,
 * never giving up; only a stop ends it. Errors Kafka does not call retriable (an ACL missing) still
 * stop the sink.
 */
final class KafkaRetry {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRetry.class);

  /** Waits between attempts; the loop's returns early once the sink is stopping. */
  interface Pause {
    void pause(Duration wait);
  }

  private final Duration initial;
  private final Duration max;
  private final int maxAttempts;
  private final Pause pause;
  private final BooleanSupplier running;

  KafkaRetry(
      Duration initial, Duration max, int maxAttempts, Pause pause, BooleanSupplier running) {
    this.initial = initial;
    this.max = max;
    this.maxAttempts = maxAttempts;
    this.pause = pause;
    this.running = running;
  }

  /**
   * {@code step}'s result, retried while it throws a retriable Kafka error.
   *
   * @throws WakeupException when the sink stops while retrying (a clean stop, not a failure)
   */
  <T> T call(String what, Supplier<T> step) {
    Backoff backoff = new Backoff(initial, max, maxAttempts);
    while (true) {
      try {
        T result = step.get();
        if (backoff.attempt() > 0) {
          LOG.info(
              "Kafka answers again: {} succeeded after {} failed attempts",
              what,
              backoff.attempt());
        }
        return result;
      } catch (RetriableException e) {
        if (!running.getAsBoolean()) {
          throw new WakeupException();
        }
        Duration wait = backoff.next();
        backoff.log(LOG, what, e, wait, "", "the sink never drops a record");
        pause.pause(wait);
        if (!running.getAsBoolean()) {
          throw new WakeupException();
        }
      }
    }
  }
}
