package dev.hourglass.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadGeneratorOptionsTest {

  @Test
  void shouldTakeDefaultsForEverythingButTheBootstrapServers() {
    LoadGeneratorOptions o = LoadGeneratorOptions.parse("--bootstrap-servers", "k:9092");

    assertThat(o)
        .isEqualTo(
            new LoadGeneratorOptions(
                "k:9092",
                "hourglass.",
                100_000,
                0,
                null,
                1,
                20,
                1,
                0,
                0,
                0,
                0,
                0,
                null,
                null,
                Duration.ofMinutes(10),
                Duration.ofHours(6),
                null));
    assertThat(o.totalEvents()).isEqualTo(100_000);
  }

  @Test
  void shouldParseEveryOptionInBothSpellings() {
    LoadGeneratorOptions o =
        LoadGeneratorOptions.parse(
            "--bootstrap-servers=k:1",
            "--topic-prefix",
            "p.",
            "--rate",
            "250.5",
            "--duration",
            "2m",
            "--seed",
            "-9",
            "--orgs",
            "7",
            "--concurrency",
            "4",
            "--late-fraction",
            "0.01",
            "--out-of-order-fraction",
            "0.02",
            "--invalid-fraction",
            "0.03",
            "--poison-fraction",
            "0.04",
            "--duplicate-fraction",
            "0.05",
            "--ledger",
            "out/l.jsonl",
            "--grace",
            "PT5M",
            "--event-span",
            "12h",
            "--event-time-end",
            "2026-01-01T00:00:00Z");

    assertThat(o)
        .isEqualTo(
            new LoadGeneratorOptions(
                "k:1",
                "p.",
                0,
                250.5,
                Duration.ofMinutes(2),
                -9,
                7,
                4,
                0.01,
                0.02,
                0.03,
                0.04,
                0.05,
                Path.of("out/l.jsonl"),
                Path.of("out/l.jsonl.failed"),
                Duration.ofMinutes(5),
                Duration.ofHours(12),
                Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(o.totalEvents()).isEqualTo(30_060);
  }

  @Test
  void shouldReportEveryBadOptionAtOnce() {
    assertThatThrownBy(
            () ->
                LoadGeneratorOptions.parse(
                    "--events", "0",
                    "--rate", "-1",
                    "--orgs", "0",
                    "--concurrency", "300",
                    "--late-fraction", "0.7",
                    "--poison-fraction", "0.6",
                    "--grace", "PT48H",
                    "--event-span", "1h",
                    "--ledger", "a",
                    "--failed-ledger", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value null for configuration --bootstrap-servers: required, host:port[,...]; "
                + "Invalid value -1.0 for configuration --rate: must be 0 (as fast as possible) or"
                + " more; "
                + "Invalid value 0 for configuration --events: must be between 1 and 200000000; "
                + "Invalid value 0 for configuration --orgs: must be between 1 and 100000; "
                + "Invalid value 300 for configuration --concurrency: must be between 1 and 256; "
                + "Invalid value 1.2999999999999998 for configuration fault fractions:"
                + " --late-fraction + --out-of-order-fraction + --invalid-fraction"
                + " + --poison-fraction + --duplicate-fraction must be at most 1; "
                + "Invalid value a for configuration --failed-ledger: must differ from --ledger; "
                + "Invalid value PT48H for configuration --grace: must be between PT0S and P1D; "
                + "Invalid value PT1H for configuration --event-span: must be between PT6H and"
                + " P365D");
  }

  @Test
  void shouldReportValuesThatDoNotParseAndUnknownOptions() {
    assertThatThrownBy(
            () ->
                LoadGeneratorOptions.parse(
                    "--bootstrap-servers",
                    "k:1",
                    "--events",
                    "many",
                    "--rate",
                    "fast",
                    "--grace",
                    "soon",
                    "--event-time-end",
                    "tomorrow",
                    "--colour",
                    "blue",
                    "--seed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value blue for configuration --colour: unknown option (known: "
                + String.join(" ", LoadGeneratorOptions.OPTIONS)
                + "); "
                + "Invalid value null for configuration --seed: needs a value; "
                + "Invalid value many for configuration --events: not an integer; "
                + "Invalid value fast for configuration --rate: not a number; "
                + "Invalid value soon for configuration --grace: not a duration"
                + " (PT10M, 500ms, 30s, 10m, 6h, 1d); "
                + "Invalid value tomorrow for configuration --event-time-end: not an ISO-8601"
                + " instant (2026-01-01T00:00:00Z)");
  }

  @Test
  void shouldRefuseDurationWithEventsOrWithoutRate() {
    assertThatThrownBy(
            () ->
                LoadGeneratorOptions.parse(
                    "--bootstrap-servers", "k", "--events", "5", "--duration", "1m"))
        .hasMessage(
            "Invalid value PT1M for configuration --duration: give --events or --duration, not both");
    assertThatThrownBy(
            () -> LoadGeneratorOptions.parse("--bootstrap-servers", "k", "--duration", "1m"))
        .hasMessage(
            "Invalid value PT1M for configuration --duration: needs --rate above 0 to fix the number"
                + " of events");
  }
}
