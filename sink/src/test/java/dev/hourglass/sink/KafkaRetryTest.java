package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** The sink's policy when the schemas topic cannot be read: retry, bounded, never give up. */
class KafkaRetryTest {
  private final List<Duration> waits = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final KafkaRetry retry =
      new KafkaRetry(Duration.ofMillis(200), Duration.ofSeconds(30), 3, waits::add, running::get);

  @Test
  void shouldRetryPastTheAttemptsAtTheLongestWaitUntilKafkaAnswers() {
    AtomicInteger calls = new AtomicInteger();

    String result =
        retry.call(
            "read the schemas topic",
            () -> {
              // Kafka unreachable for 12 attempts, as in an outage of several minutes.
              if (calls.incrementAndGet() <= 12) {
                throw new TimeoutException("reading the schemas topic took over PT30S");
              }
              return "schema";
            });

    assertThat(result).isEqualTo("schema");
    assertThat(calls).hasValue(13);
    assertThat(waits).hasSize(12);
    assertThat(waits.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(waits.get(1)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    // 200 ms doubled reaches 30 s by the 9th wait; from then on every wait is bounded by it.
    assertThat(waits.subList(8, 12))
        .allSatisfy(w -> assertThat(w).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30)));
  }

  @Test
  void shouldEndAsACleanStopWhenTheSinkStopsWhileRetrying() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retry.call(
                    "read the schemas topic",
                    () -> {
                      calls.incrementAndGet();
                      running.set(false);
                      throw new TimeoutException("unreachable");
                    }))
        .isInstanceOf(WakeupException.class);
    assertThat(calls).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void shouldNotRetryWhatKafkaDoesNotCallRetriable() {
    assertThatThrownBy(
            () ->
                retry.call(
                    "read the schemas topic",
                    () -> {
                      throw new TopicAuthorizationException("not allowed");
                    }))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThat(waits).isEmpty();
  }
}
