package dev.hourglass.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadGeneratorOptionsTest {

  @Test
  void shouldSendTheEventsGivenOrRateTimesDuration() {
    assertThat(options(100_000, 0, null).totalEvents()).isEqualTo(100_000);
    assertThat(options(0, 250.5, Duration.ofMinutes(2)).totalEvents()).isEqualTo(30_060);
  }

  @Test
  void shouldReportEveryBadOptionAtOnce() {
    assertThatThrownBy(
            () ->
                new LoadGeneratorOptions(
                    null,
                    "hourglass.",
                    0,
                    -1,
                    null,
                    1,
                    0,
                    300,
                    0.7,
                    0,
                    0,
                    0.6,
                    0,
                    0.1,
                    Path.of("a"),
                    Path.of("a"),
                    Duration.ofHours(48),
                    Duration.ofHours(1),
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value null for configuration --bootstrap-servers: required, host:port[,...]; "
                + "Invalid value -1.0 for configuration --rate: must be 0 (as fast as possible) or"
                + " more; "
                + "Invalid value 0 for configuration --events: must be between 1 and 200000000; "
                + "Invalid value 0 for configuration --orgs: must be between 1 and 100000; "
                + "Invalid value 300 for configuration --concurrency: must be between 1 and 256; "
                + "Invalid value 1.4 for configuration fault fractions:"
                + " --late-fraction + --out-of-order-fraction + --invalid-fraction"
                + " + --poison-fraction + --duplicate-fraction + --misroute-fraction must be at"
                + " most 1; "
                + "Invalid value a for configuration --failed-ledger: must differ from --ledger; "
                + "Invalid value PT48H for configuration --grace: must be between PT0S and P1D; "
                + "Invalid value PT1H for configuration --event-span: must be between PT6H and"
                + " P365D");
  }

  @Test
  void shouldRefuseDurationWithEventsOrWithoutRate() {
    assertThatThrownBy(() -> options(5, 0, Duration.ofMinutes(1)))
        .hasMessage(
            "Invalid value PT1M for configuration --duration: give --events or --duration, not both");
    assertThatThrownBy(() -> options(0, 0, Duration.ofMinutes(1)))
        .hasMessage(
            "Invalid value PT1M for configuration --duration: needs --rate above 0 to fix the number"
                + " of events");
  }

  private static LoadGeneratorOptions options(long events, double rate, Duration duration) {
    return new LoadGeneratorOptions(
        "k:9092",
        "hourglass.",
        events,
        rate,
        duration,
        1,
        LoadGeneratorOptions.DEFAULT_ORGS,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        null,
        LoadGeneratorOptions.DEFAULT_GRACE,
        LoadGeneratorOptions.MIN_EVENT_SPAN,
        null);
  }
}
