package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.rollups.TaskRollup;
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
    List<TaskRollup> rows = SinkBenchmark.rows(2_500, 7);
    assertThat(rows).hasSize(2_500);
    assertThat(
            rows.stream()
                .map(t -> t.getOrganizationId() + t.getProjectId() + t.getWindowStart())
                .distinct()
                .count())
        .isEqualTo(2_500);
    assertThat(rows).allSatisfy(t -> assertThat(t.getRevision()).isEqualTo(7));
  }

  @Test
  void shouldWriteOneCopyLinePerRowWithTheHistogramAsAnArrayLiteral() {
    String histogram = "{0,1" + ",0".repeat(126) + "}";

    assertThat(SinkBenchmark.copyText(SinkBenchmark.rows(1, 3)))
        .isEqualTo(
            "00000000-0000-0001-0000-000000000000\t00000000-0000-0002-0000-000000000000\t"
                + "2026-11-01T00:00:00Z\t2026-11-01T01:00:00Z\t1\t3\t0\t0\t0\t0\t0\t0.5\t0.0\t0\t"
                + histogram
                + "\t3\t0\tt\n");
  }
}
