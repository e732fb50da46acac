package dev.hourglass.streams;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A clock that reads Kafka Streams' wall-clock time ({@code ProcessorContext.currentSystemTimeMs}),
 * so that validation of future timestamps follows the same clock as punctuation, including the
 * mocked one of {@code TopologyTestDriver}.
 */
final class ContextClock extends Clock {
  private final LongSupplier millis;

  ContextClock(LongSupplier millis) {
    this.millis = millis;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone)) {
      throw new UnsupportedOperationException("ContextClock is UTC only");
    }
    return this;
  }

  @Override
  public long millis() {
    return millis.getAsLong();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
