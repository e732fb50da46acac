package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SinkBenchmarkTest {

  @Test
  void shouldReportEveryInvalidOptionAtOnceWithThePasswordMasked() {
    assertThatThrownBy(
            () -> new SinkBenchmark.Options("", "jdbc:mysql://x", "u", "secret", 0, 101, "a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            String.join(
                "\n",
                List.of(
                    "Invalid value  for configuration bootstrapServers: must be set",
                    "Invalid value jdbc:mysql://x for configuration jdbcUrl: must start with"
                        + " jdbc:postgresql:",
                    "Invalid value 0 for configuration rows: must be between 1 and 5000000",
                    "Invalid value 101 for configuration runs: must be between 1 and 100",
                    "Invalid value a b for configuration topicPrefix: must match"
                        + " [A-Za-z0-9._-]+")));
    assertThat(
            new SinkBenchmark.Options("k:9092", "jdbc:postgresql://h/d", "u", "secret", 1, 1, "b.")
                .toString())
        .contains("password=<masked>")
        .doesNotContain("secret");
  }

  @Test
  void shouldTakeTheMedianOfOddAndEvenCounts() {
    assertThat(SinkBenchmark.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(SinkBenchmark.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void shouldGenerateDistinctRowsWithOneRevision() {
    List<SinkRecord> rows = SinkBenchmark.rows(2_500, 7);
    assertThat(rows).hasSize(2_500);
    assertThat(
            rows.stream()
                .map(r -> (dev.hourglass.rollups.TaskRollup) r.payload())
                .map(t -> t.getOrganizationId() + t.getProjectId() + t.getWindowStart())
                .distinct()
                .count())
        .isEqualTo(2_500);
    assertThat(rows)
        .allSatisfy(
            r ->
                assertThat(((dev.hourglass.rollups.TaskRollup) r.payload()).getRevision())
                    .isEqualTo(7));
  }
}
