package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.schema.Sql;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark the CLI runs gives sane figures on a real broker and PostgreSQL (no timing). */
@HourglassIT
class SinkBenchmarkIT {

  @Test
  void shouldReportPositiveRatesAndLeaveExactlyTheRequestedRowsInTheTable(
      TestKafka kafka, TestDatabase db) throws Exception {
    Sql.migrate(db);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    SinkBenchmark.Result result =
        SinkBenchmark.run(
            new SinkBenchmark.Options(
                kafka.bootstrapServers(),
                db.jdbcUrl(),
                db.user(),
                db.password(),
                2_000,
                1,
                kafka.topic("bench.")),
            new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(result.rows()).isEqualTo(2_000);
    assertThat(result.runs()).hasSize(1);
    SinkBenchmark.Run run = result.runs().get(0);
    assertThat(run.copyRowsPerSecond()).isPositive().isFinite();
    assertThat(run.sinkRowsPerSecond()).isPositive().isFinite();
    assertThat(result.rSink()).isPositive().isFinite();
    List<SinkBenchmark.Sample> samples = run.sinkSamples();
    assertThat(samples.get(0)).isEqualTo(new SinkBenchmark.Sample(0, 0));
    assertThat(samples.get(samples.size() - 1).rowsCommitted()).isEqualTo(2_000);
    for (int i = 1; i < samples.size(); i++) {
      assertThat(samples.get(i).elapsedMillis())
          .isGreaterThanOrEqualTo(samples.get(i - 1).elapsedMillis());
      assertThat(samples.get(i).rowsCommitted())
          .isGreaterThanOrEqualTo(samples.get(i - 1).rowsCommitted());
    }
    // The last method of a run is the sink: its rows are what the table holds.
    try (Connection c = db.connect()) {
      assertThat(Sql.count(c, "SELECT count(*) FROM task_rollups_hourly")).isEqualTo(2_000);
      assertThat(Sql.count(c, "SELECT count(DISTINCT revision) FROM task_rollups_hourly"))
          .isEqualTo(1);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("warm-up", "run 1/1", "R_sink = ");
  }
}
