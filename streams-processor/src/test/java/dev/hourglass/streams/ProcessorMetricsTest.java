package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.Family;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessorMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProcessorMetrics metrics = new ProcessorMetrics(registry);

  @Test
  void shouldSumTheBooksOfTheTasksThisInstanceOwns() {
    metrics.published(
        "t-0", Family.AGENT, new Books.Snapshot(10, 2, 1, 3, Map.of("INVALID_UUID", 4L), 5_000));
    metrics.published(
        "t-1", Family.AGENT, new Books.Snapshot(7, 0, 0, 0, Map.of("INVALID_UUID", 1L), 9_000));
    metrics.published("t-2", Family.TASK, new Books.Snapshot(5, 0, 0, 0, Map.of(), 1_000));
    // A later publication of the same partition replaces, never adds.
    metrics.published(
        "t-1", Family.AGENT, new Books.Snapshot(8, 1, 0, 0, Map.of("INVALID_UUID", 1L), 9_500));

    assertThat(counter("hourglass.processor.events.counted", "agent")).isEqualTo(18);
    assertThat(counter("hourglass.processor.duplicates.suppressed", "agent")).isEqualTo(3);
    assertThat(counter("hourglass.processor.late.corrected", "agent")).isEqualTo(1);
    assertThat(counter("hourglass.processor.rerouted", "agent")).isEqualTo(3);
    assertThat(counter("hourglass.processor.events.counted", "task")).isEqualTo(5);
    assertThat(
            registry
                .get("hourglass.processor.dead.letters")
                .tags("family", "agent", "reason", "INVALID_UUID")
                .functionCounter()
                .count())
        .isEqualTo(5);
    assertThat(
            registry.get("hourglass.processor.stream.time").tag("family", "agent").gauge().value())
        .isEqualTo(9.5);
  }

  @Test
  void shouldForgetTheBooksOfATaskThatLeft() {
    metrics.published("t-0", Family.INTEGRATION, new Books.Snapshot(10, 0, 0, 0, Map.of(), 1));
    metrics.published("t-1", Family.INTEGRATION, new Books.Snapshot(4, 0, 0, 0, Map.of(), 1));

    metrics.closed("t-0");

    assertThat(counter("hourglass.processor.events.counted", "integration")).isEqualTo(4);
  }

  @Test
  void shouldExposeEveryRulesAlertCounterBeforeTheFirstAlert() {
    metrics.rules(Family.AGENT, List.of("agent_failure_rate"));
    metrics.alertEmitted(Family.AGENT, "agent_failure_rate", "FIRING");

    assertThat(alerts("firing")).isEqualTo(1);
    assertThat(alerts("resolved")).isZero();
  }

  private double counter(String name, String family) {
    return registry.get(name).tag("family", family).functionCounter().count();
  }

  private double alerts(String state) {
    return registry
        .get("hourglass.processor.alerts.emitted")
        .tags("family", "agent", "rule", "agent_failure_rate", "state", state)
        .counter()
        .count();
  }
}
