package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.chaos.Chaos;
import dev.hourglass.chaos.ChaosOptions;
import dev.hourglass.chaos.Report;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short chaos run of CI: scenarios 2 (the sink SIGKILLed inside batches) and 4 (the processor
 * SIGKILLed, its state restored), once each (a few minutes in all), with Kafka, PostgreSQL, the
 * processor and the sink each in its own process, the load with its ledger and a share of late,
 * invalid, poison, duplicate and misrouted events. Any lost or extra event fails it. The sink
 * commits its batches asynchronously ({@code sink.synchronous.commit=off}), at no extra cost.
 */
class ChaosIT {

  @Test
  void shouldLoseNothingAndAddNothingWhenTheSinkAndTheProcessorAreKilled(@TempDir Path dir)
      throws Exception {
    ChaosOptions options =
        new ChaosOptions(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Hourglass.class.getName()),
            true,
            true,
            dir,
            List.of(2, 4),
            500,
            Duration.ofSeconds(20),
            1,
            0.01,
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            10_000,
            null,
            Duration.ofMinutes(3),
            0,
            42,
            Duration.ofMinutes(5),
            Map.of(),
            // The sink's batches committed asynchronously: what a killed sink leaves stays exact.
            Map.of("sink.synchronous.commit", "off"),
            List.of());

    List<Report> reports = new Chaos(options, new PrintStream(System.out, true), "ChaosIT").run();

    assertThat(reports).hasSize(2);
    for (Report r : reports) {
      assertThat(r.sent()).as(r.scenario() + ": sent").isEqualTo(10_000);
      assertThat(r.acknowledged()).as(r.scenario() + ": acknowledged").isEqualTo(10_000);
      assertThat(r.lost()).as(r.scenario() + ": lost").isZero();
      assertThat(r.extra()).as(r.scenario() + ": extra").isZero();
      assertThat(r.rowsDiffering()).as(r.scenario() + ": " + r.firstDifference()).isZero();
      assertThat(r.counted() + r.deadLettered() + r.duplicates())
          .as(r.scenario() + ": the books")
          .isEqualTo(r.acknowledged());
      assertThat(r.deadLettered())
          .as(r.scenario() + ": dead letters are the injected invalid and poison events")
          .isEqualTo(r.injected().get("invalid") + r.injected().get("poison"));
      assertThat(r.duplicates())
          .as(r.scenario() + ": duplicates suppressed are the injected ones")
          .isEqualTo(r.injected().get("duplicate"));
      assertThat(r.lag()).as(r.scenario() + ": I4").isZero();
      assertThat(r.duplicateAlerts()).as(r.scenario() + ": I5").isZero();
      assertThat(r.deadWithoutReason()).as(r.scenario() + ": dead letters without reason").isZero();
      assertThat(r.faults()).as(r.scenario() + ": faults injected").hasSize(1);
      assertThat(r.passed()).isTrue();
    }
    assertThat(ProcessHandle.current().descendants()).as("every process stopped").isEmpty();
  }
}
