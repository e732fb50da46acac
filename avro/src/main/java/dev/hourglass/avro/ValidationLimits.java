package dev.hourglass.avro;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds {@link EventValidator} enforces. Checked when built: every bad value is reported at
 * once, each as {@code Invalid value X for configuration Y: why}.
 *
 * @param maxFutureSkew how far {@code occurred_at} may be ahead of the validator's clock
 * @param maxStringLength the most characters (code points) of a free-text field
 * @param maxPayloadBytes the most UTF-8 bytes of {@code IntegrationEvent.payload}
 */
public record ValidationLimits(Duration maxFutureSkew, int maxStringLength, int maxPayloadBytes) {
  private static final ValidationLimits DEFAULTS =
      new ValidationLimits(Duration.ofMinutes(5), 512, 65_536);

  public ValidationLimits {
    List<String> problems = new ArrayList<>();
    if (maxFutureSkew == null || maxFutureSkew.isNegative()) {
      problems.add(
          "Invalid value "
              + maxFutureSkew
              + " for configuration maxFutureSkew: must be zero or positive");
    } else if (maxFutureSkew.compareTo(Duration.ofDays(365)) > 0) {
      // Also keeps clock millis + skew far from long overflow.
      problems.add(
          "Invalid value "
              + maxFutureSkew
              + " for configuration maxFutureSkew: must be at most 365 days");
    }
    if (maxStringLength < 1) {
      problems.add(
          "Invalid value " + maxStringLength + " for configuration maxStringLength: must be >= 1");
    }
    if (maxPayloadBytes < 1) {
      problems.add(
          "Invalid value " + maxPayloadBytes + " for configuration maxPayloadBytes: must be >= 1");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** 5 minutes of future skew, 512 characters per string, 65536 bytes of payload. */
  public static ValidationLimits defaults() {
    return DEFAULTS;
  }
}
