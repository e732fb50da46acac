package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void shouldDoubleWithJitterUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 5);
    long[][] bounds = {{50, 100}, {100, 200}, {200, 400}, {400, 800}, {500, 1000}, {500, 1000}};
    for (long[] bound : bounds) {
      assertThat(b.next().toMillis()).isBetween(bound[0], bound[1]);
    }
    assertThat(b.attempt()).isEqualTo(6);
    assertThat(b.exhausted()).isTrue();
  }

  @Test
  void shouldStartOverAfterReset() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 5);
    b.next();
    b.next();

    b.reset();

    assertThat(b.attempt()).isZero();
    assertThat(b.next().toMillis()).isBetween(50L, 100L);
  }
}
