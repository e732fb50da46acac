package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench commands end to end at a tiny size, on their own embedded Kafka and PostgreSQL: they
 * finish, write their JSON and charts, and account for every event. Their figures are not checked:
 * benchmarks report, they do not pass or fail.
 */
class BenchCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldSeeEveryTimedEventReachItsRollupRowInThePipelineBenchmark(@TempDir Path out)
      throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute(
                "pipeline",
                "--events",
                "3000",
                "--runs",
                "1",
                "--latency-duration",
                "PT3S",
                "--fresh-steps",
                "2",
                "--grown-days",
                "2",
                "--grown-orgs",
                "5",
                "--grown-raw-events",
                "1000",
                "--two-sink-paths",
                "--warm-up",
                "PT1S",
                "--out",
                out.toString());

    assertThat(exit).isZero();
    JsonNode json = JSON.readTree(out.resolve("pipeline.json").toFile());
    JsonNode figures = json.get("figures");
    assertThat(figures.get("sink_paths").asText()).isEqualTo("two");
    // The freshness search starts at half the capacity, then bisects toward it or toward zero.
    double capacity = figures.get("pipeline_events_per_second").asDouble();
    JsonNode probes = json.get("data").get("fresh_search");
    assertThat(probes).hasSize(2);
    double first = Math.max(100, Math.round(capacity * 0.5));
    assertThat(probes.get(0).get("rate").asDouble()).isEqualTo(first);
    assertThat(probes.get(1).get("rate").asDouble())
        .isEqualTo(
            Math.max(
                100,
                Math.round(
                    probes.get(0).get("fresh").asBoolean() ? (first + capacity) / 2 : first / 2)));
    double freshest =
        java.util.stream.StreamSupport.stream(probes.spliterator(), false)
            .filter(p -> p.get("fresh").asBoolean())
            .mapToDouble(p -> p.get("rate").asDouble())
            .max()
            .orElse(0);
    assertThat(figures.get("fresh_events_per_second").asDouble()).isEqualTo(freshest);
    assertThat(json.get("data").get("grown_runs")).hasSize(1);
    assertThat(figures.get("grown_capacity_ratio").asDouble())
        .isEqualTo(figures.get("grown_pipeline_events_per_second").asDouble() / capacity);
    assertThat(figures.get("latency_events_unresolved").asLong()).isZero();
    assertThat(figures.get("send_to_rollup_ms").get("count").asLong()).isPositive();
    assertThat(figures.get("kafka_hop_ms").get("count").asLong()).isPositive();
    assertThat(figures.get("pipeline_events_per_second").asDouble()).isPositive();
    assertThat(figures.get("peak_pss_mib").asDouble()).isPositive();
    assertThat(out.resolve("pipeline-throughput.png")).isNotEmptyFile();
    assertThat(out.resolve("pipeline-latency.png")).isNotEmptyFile();
  }

  @Test
  void shouldMeasureEveryQueryAtEveryClientCountWhileIngesting(@TempDir Path out)
      throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute(
                "query",
                "--orgs",
                "5",
                "--days",
                "2",
                "--raw-events",
                "1000",
                "--clients",
                "1,2",
                "--measure",
                "PT0.3S",
                "--ingest-rate",
                "200",
                "--pgbouncer",
                "--sessions",
                "2,3",
                "--pool-size",
                "2",
                "--calls-per-session",
                "2",
                "--think-time",
                "PT0.01S",
                "--out",
                out.toString());

    assertThat(exit).isZero();
    JsonNode json = JSON.readTree(out.resolve("query.json").toFile());
    // Through PgBouncer: nine queries at 2 and 3 sessions, two calls each, one transaction each.
    JsonNode pooled = json.get("data").get("pgbouncer_stats");
    assertThat(pooled.size()).isEqualTo(9 * 2);
    for (JsonNode q : pooled) {
      assertThat(q.get("calls").asLong())
          .as(q.get("query").asText())
          .isEqualTo(2L * q.get("clients").asLong());
    }
    assertThat(json.get("figures").get("pgbouncer_calls").asLong()).isEqualTo(9 * 5 * 2);
    assertThat(json.get("figures").get("pgbouncer_server_transactions").asLong())
        .isEqualTo(9 * 5 * 2);
    assertThat(json.get("figures").get("pgbouncer_server_connections").asLong()).isBetween(1L, 2L);
    // Sessions thinking 10 ms on average: 2 offer 200 calls/s, 3 offer 300.
    assertThat(json.get("figures").get("pgbouncer_think_time_seconds").asDouble()).isEqualTo(0.01);
    JsonNode rates = json.get("data").get("pgbouncer_rates");
    assertThat(rates.size()).isEqualTo(9 * 2);
    for (JsonNode r : rates) {
      assertThat(r.get("offeredPerSecond").asDouble())
          .isEqualTo(r.get("sessions").asInt() == 2 ? 200.0 : 300.0);
      assertThat(r.get("achievedPerSecond").asDouble()).isPositive();
    }
    // Five organizations x 2 days x 24 hours x 3 rollup tables.
    assertThat(json.get("figures").get("rollup_rows_loaded").asLong()).isEqualTo(5 * 48 * 3);
    JsonNode stats = json.get("data").get("stats");
    assertThat(stats.size() % 2).isZero();
    for (JsonNode q : stats) {
      assertThat(q.get("calls").asLong()).as(q.get("query").asText()).isPositive();
    }
    assertThat(json.get("figures").get("ingest_events_per_second_achieved").asDouble())
        .isPositive();
    assertThat(out.resolve("query-latency-1-clients.png")).isNotEmptyFile();
    assertThat(out.resolve("query-latency-2-clients.png")).isNotEmptyFile();
  }

  @Test
  void shouldCompareTheSinkWithCopyOnTheSameRows(@TempDir Path out) throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute("sink", "--rows", "2000", "--runs", "1", "--out", out.toString());

    assertThat(exit).isZero();
    JsonNode json = JSON.readTree(out.resolve("sink.json").toFile());
    assertThat(json.get("figures").get("rows").asInt()).isEqualTo(2000);
    assertThat(json.get("data").get("runs")).hasSize(1);
    JsonNode samples = json.get("data").get("runs").get(0).get("sinkSamples");
    assertThat(samples.get(samples.size() - 1).get("rowsCommitted").asLong()).isEqualTo(2000);
    assertThat(out.resolve("sink-progress.png")).isNotEmptyFile();
  }

  @Test
  void shouldTimeBothGuaranteesOnTheSameInputInTheEosBenchmark(@TempDir Path out)
      throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute("eos", "--events", "2000", "--runs", "1", "--out", out.toString());

    assertThat(exit).isZero();
    JsonNode json = JSON.readTree(out.resolve("eos.json").toFile());
    assertThat(json.get("figures").get("input_events").asLong()).isEqualTo(2000);
    assertThat(json.get("data").get("runs")).hasSize(2);
    assertThat(json.get("data").get("runs").get(0).get("guarantee").asText())
        .isEqualTo(BenchEosCommand.AT_LEAST_ONCE);
    assertThat(Files.size(out.resolve("eos-progress.png"))).isPositive();
  }

  @Test
  void shouldRecordStatementsPlansIndexCostsAndAProfileInTheFindings(@TempDir Path out)
      throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute(
                "findings",
                "--grown-days",
                "1",
                "--grown-orgs",
                "5",
                "--grown-raw-events",
                "1000",
                "--rate",
                "200",
                "--duration",
                "PT6S",
                "--explain-window",
                "PT2S",
                "--index-rows",
                "100",
                "--index-rounds",
                "1",
                "--out",
                out.toString());

    assertThat(exit).isZero();
    JsonNode json = JSON.readTree(out.resolve("findings.json").toFile());
    assertThat(json.get("figures").get("events").asLong()).isEqualTo(1200);
    JsonNode data = json.get("data");
    assertThat(data.get("statements").findValuesAsText("statement"))
        .anyMatch(t -> t.startsWith("INSERT INTO tasks AS t"));
    assertThat(data.get("plans")).isNotEmpty();
    // Every raw-event table with all its indexes: inserts, and updates but for integration_events.
    assertThat(
            java.util.stream.StreamSupport.stream(data.get("index_costs").spliterator(), false)
                .filter(v -> v.get("variant").asText().equals("all indexes"))
                .map(v -> v.get("table").asText() + " " + v.get("write").asText()))
        .containsExactly(
            "tasks insert",
            "tasks update",
            "task_executions insert",
            "task_executions update",
            "agent_tasks insert",
            "agent_tasks update",
            "codegen_agents insert",
            "codegen_agents update",
            "integration_events insert");
    // Each foreign key and V27's summary-change triggers are costed the same way.
    assertThat(
            java.util.stream.StreamSupport.stream(data.get("index_costs").spliterator(), false)
                .filter(v -> v.get("table").asText().equals("task_executions"))
                .filter(v -> v.get("write").asText().equals("insert"))
                .map(v -> v.get("variant").asText()))
        .contains(
            "without foreign key task_executions_task_same_organization",
            "without summary-change triggers");
    assertThat(data.get("jfr").findValuesAsText("component"))
        .contains(CpuProfile.STREAMS, CpuProfile.SINK);
    assertThat(out.resolve("findings.jfr")).isNotEmptyFile();
  }

  @Test
  void shouldTimeRollupsWithOneSinkAndWithTheTwoPathsApart(@TempDir Path out) throws IOException {
    int exit =
        DefaultSettings.bench()
            .execute(
                "pipeline",
                "--compare-sink-paths",
                "200",
                "--runs",
                "1",
                "--latency-duration",
                "PT3S",
                "--warm-up",
                "PT1S",
                "--out",
                out.toString());

    assertThat(exit).isZero();
    JsonNode runs = JSON.readTree(out.resolve("sink-paths.json").toFile()).get("data").get("runs");
    assertThat(runs.findValuesAsText("two_paths")).containsExactly("false", "true");
    // Both variants timed task events to their rollup rows; how many arrived within the run's
    // 60 s drain depends on the machine's load, and timing is not asserted.
    assertThat(runs.findValues("send_to_rollup_ms")).allMatch(p -> p.get("count").asLong() > 0);
  }
}
