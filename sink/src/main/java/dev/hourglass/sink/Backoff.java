package dev.hourglass.sink;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * Bounded exponential backoff with full jitter: attempt n waits a random time in [d/2, d] where d =
 * min(max, initial * 2^(n-1)), so that instances that failed together do not retry together.
 */
final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private final int maxAttempts;
  private int attempt;

  Backoff(Duration initial, Duration max, int maxAttempts) {
    this.initialMs = initial.toMillis();
    this.maxMs = max.toMillis();
    this.maxAttempts = maxAttempts;
  }

  /** Counts one more failed attempt and returns how long to wait before the next. */
  Duration next() {
    attempt++;
    int shift = Math.min(attempt - 1, 30);
    long ceiling = Math.min(maxMs, initialMs << shift);
    if (ceiling <= 0) {
      ceiling = maxMs;
    }
    long half = ceiling / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
  }

  int attempt() {
    return attempt;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  boolean exhausted() {
    return attempt >= maxAttempts;
  }

  /**
   * Logs the failed attempt just counted by {@link #next()}: a warning, or an error once the
   * attempts are exhausted, since from then on the caller keeps retrying at the longest wait (it
   * never drops what it holds: {@code promise}). {@code state} says what waits meanwhile, or is
   * empty.
   */
  void log(Logger log, String what, Exception e, Duration wait, String state, String promise) {
    if (exhausted()) {
      log.error(
          "Cannot {}, attempt {}/{}: {}; {}still retrying in {} ms ({})",
          what,
          attempt,
          maxAttempts,
          e.toString(),
          state,
          wait.toMillis(),
          promise);
    } else {
      log.warn(
          "Cannot {}, attempt {}/{}: {}; {}retrying in {} ms",
          what,
          attempt,
          maxAttempts,
          e.toString(),
          state,
          wait.toMillis());
    }
  }

  void reset() {
    attempt = 0;
  }
}
