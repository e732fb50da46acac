package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ADA;
import static dev.hourglass.schema.Fixtures.AGENT_B;
import static dev.hourglass.schema.Fixtures.ALPHA;
import static dev.hourglass.schema.Fixtures.BETA;
import static dev.hourglass.schema.Fixtures.GAMMA_INACTIVE;
import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static dev.hourglass.schema.Fixtures.PROJECT_A1;
import static dev.hourglass.schema.Fixtures.PROJECT_A2;
import static dev.hourglass.schema.Fixtures.PROJECT_B1;
import static dev.hourglass.schema.Fixtures.UNREGISTERED;
import static dev.hourglass.schema.Fixtures.dayHour;
import static dev.hourglass.schema.Fixtures.hour;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each function of the performance guide, on a hand-built data set, to the exact answer. */
@HourglassIT
class SeedFunctionsIT {

  @Test
  void shouldListOrganizationsOpenTasksMostUrgentFirst(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          "INSERT INTO tasks (id, organization_id, project_id, title, status, priority, assigned_to,"
              + " created_at) VALUES"
              + " ('00000000-0000-0000-0000-000000000001', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'Fix login', 'pending', 2, NULL, '2026-01-10 07:00Z'),"
              + " ('00000000-0000-0000-0000-000000000002', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'Write docs', 'in_progress', 1, '"
              + ADA
              + "', '2026-01-10 05:00Z'),"
              + " ('00000000-0000-0000-0000-000000000003', '"
              + ORG_A
              + "', '"
              + PROJECT_A2
              + "', 'Review PR', 'assigned', 2, '"
              + ADA
              + "', '2026-01-10 09:00Z'),"
              + " ('00000000-0000-0000-0000-000000000004', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'Old bug', 'completed', 1, NULL, '2026-01-10 08:00Z'),"
              + " ('00000000-0000-0000-0000-000000000005', '"
              + ORG_A
              + "', '"
              + PROJECT_A2
              + "', 'Dropped', 'cancelled', 1, NULL, '2026-01-10 08:00Z'),"
              + " ('00000000-0000-0000-0000-000000000006', '"
              + ORG_B
              + "', '"
              + PROJECT_B1
              + "', 'Other tenant', 'pending', 1, NULL, '2026-01-10 08:00Z')");

      String select =
          "SELECT task_id::text, title, status, priority, assigned_to_name,"
              + " to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') AS created"
              + " FROM get_active_tasks_optimized(?::uuid";

      assertThat(Sql.tuples(c, select + ")", ORG_A))
          .containsExactly(
              row(
                  "00000000-0000-0000-0000-000000000002",
                  "Write docs",
                  "in_progress",
                  1,
                  "Ada",
                  "05:00"),
              row(
                  "00000000-0000-0000-0000-000000000003",
                  "Review PR",
                  "assigned",
                  2,
                  "Ada",
                  "09:00"),
              row(
                  "00000000-0000-0000-0000-000000000001",
                  "Fix login",
                  "pending",
                  2,
                  null,
                  "07:00"));
      assertThat(Sql.tuples(c, select + ", 1, 1)", ORG_A))
          .containsExactly(
              row(
                  "00000000-0000-0000-0000-000000000003",
                  "Review PR",
                  "assigned",
                  2,
                  "Ada",
                  "09:00"));
    }
  }

  @Test
  void shouldSummariseAgentPerformanceFromRollups(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      String insert =
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, event_count, started_count, completed_count, failed_count,"
              + " tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count,"
              + " duration_ms_sum, duration_count) VALUES ";
      Sql.exec(
          c,
          insert + agentRow(ORG_A, ALPHA, hour(2), "8, 4, 3, 1, 900, 1500000, 2.7, 3, 9000, 4"),
          insert + agentRow(ORG_A, ALPHA, hour(26), "3, 2, 1, 0, 100, 500000, 0.6, 1, 3000, 1"),
          // Outside the 30 days.
          insert
              + agentRow(
                  ORG_A, ALPHA, hour(40 * 24), "200, 100, 100, 0, 1, 9000000, 90, 100, 1000, 100"),
          // Inactive agent: left out, as in the guide.
          insert + agentRow(ORG_A, GAMMA_INACTIVE, hour(3), "2, 1, 1, 0, 1, 1, 0.5, 1, 10, 1"),
          // Seen in rollups before its codegen_agents row exists.
          insert + agentRow(ORG_A, UNREGISTERED, hour(3), "2, 1, 0, 1, 10, 0, 0, 0, 500, 1"),
          insert + agentRow(ORG_B, AGENT_B, hour(2), "9, 9, 9, 0, 9, 9, 9, 9, 9, 9"));

      assertThat(
              Sql.tuples(
                  c,
                  "SELECT agent_id::text, agent_name, total_tasks, success_rate::text AS success,"
                      + " avg_completion_time::text AS avg_time, total_cost::text AS cost,"
                      + " performance_score::text AS score"
                      + " FROM get_agent_performance_metrics(?::uuid)",
                  ORG_A))
          .containsExactly(
              row(ALPHA, "alpha", 6L, "80.00", "00:00:02.4", "2.000000", "0.8250"),
              row(BETA, "beta", 0L, "0", null, "0.000000", "0"),
              row(UNREGISTERED, "agent-00000000", 1L, "0.00", "00:00:00.5", "0.000000", "0"));
      // A shorter period keeps only the hour two hours ago.
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT agent_name, total_tasks FROM get_agent_performance_metrics(?::uuid,"
                      + " interval '12 hours') WHERE total_tasks > 0",
                  ORG_A))
          .containsExactly(row("alpha", 4L), row("agent-00000000", 1L));
    }
  }

  @Test
  void shouldBuildOrganizationAnalyticsFromRollups(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          taskRollup(ORG_A, PROJECT_A1, dayHour(3, 10), 4, 2, 0),
          taskRollup(ORG_A, PROJECT_A2, dayHour(3, 11), 1, 1, 0),
          taskRollup(ORG_A, PROJECT_A1, dayHour(2, 5), 5, 0, 0),
          // Outside the range, and another organization.
          taskRollup(ORG_A, PROJECT_A1, dayHour(1, 0), 100, 100, 0),
          taskRollup(ORG_A, PROJECT_A1, dayHour(4, 23), 100, 100, 0),
          taskRollup(ORG_B, PROJECT_B1, dayHour(3, 10), 50, 50, 0),
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, event_count, started_count, cost_micros_sum) VALUES "
              + agentRow(ORG_A, ALPHA, dayHour(3, 10), "2, 2, 1000000")
              + ", "
              + agentRow(ORG_A, ALPHA, dayHour(2, 5), "4, 4, 3000000"),
          "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
              + " window_start, window_end, event_count, success_count, error_count) SELECT '"
              + ORG_A
              + "', 'github', w, w + interval '1 hour', 10, 8, 2 FROM (SELECT "
              + dayHour(2, 5)
              + " AS w) s");
      LocalDate today =
          ((java.sql.Date) Sql.value(c, "SELECT (now() AT TIME ZONE 'UTC')::date")).toLocalDate();
      LocalDate d1 = today.minusDays(3);
      LocalDate d2 = today.minusDays(2);

      String actual =
          (String)
              Sql.value(
                  c,
                  "SELECT get_organization_analytics(?::uuid, ?, ?)::text",
                  ORG_A,
                  java.sql.Date.valueOf(d1),
                  java.sql.Date.valueOf(d2));

      assertThat(actual)
          .isEqualTo(
              Sql.jsonb(
                  c,
                  "{\"period\": {\"start_date\": \""
                      + d1
                      + "\", \"end_date\": \""
                      + d2
                      + "\"}, \"summary\": {\"total_tasks\": 10, \"completed_tasks\": 3,"
                      + " \"completion_rate\": 30.00, \"total_agent_tasks\": 6, \"total_cost\":"
                      + " 4.000000, \"avg_daily_cost\": 0.625000, \"total_integration_events\": 10,"
                      + " \"integration_error_rate\": 20.00}, \"daily_trends\": [{\"date\": \""
                      + d1
                      + "\", \"tasks_created\": 5, \"tasks_completed\": 3, \"agent_tasks\": 2,"
                      + " \"avg_cost\": 0.500000, \"integration_events\": 0,"
                      + " \"integration_errors\": 0}, {\"date\": \""
                      + d2
                      + "\", \"tasks_created\": 5, \"tasks_completed\": 0, \"agent_tasks\": 4,"
                      + " \"avg_cost\": 0.750000, \"integration_events\": 10,"
                      + " \"integration_errors\": 2}]}"));
    }
  }

  @Test
  void shouldReturnZerosAndEmptyTrendsForOrganizationWithoutData(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      String actual =
          (String)
              Sql.value(
                  c,
                  "SELECT get_organization_analytics(?::uuid, DATE '2026-01-01', DATE '2026-01-31')::text",
                  ORG_B);
      assertThat(actual)
          .isEqualTo(
              Sql.jsonb(
                  c,
                  "{\"period\": {\"start_date\": \"2026-01-01\", \"end_date\": \"2026-01-31\"},"
                      + " \"summary\": {\"total_tasks\": 0, \"completed_tasks\": 0,"
                      + " \"completion_rate\": 0, \"total_agent_tasks\": 0, \"total_cost\":"
                      + " 0.000000, \"avg_daily_cost\": null, \"total_integration_events\": 0,"
                      + " \"integration_error_rate\": 0}, \"daily_trends\": []}"));
    }
  }

  @Test
  void shouldRefreshMaterializedViewsFromRollupsAndTasks(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
              + " event_count, created_count, completed_count, failed_count, actual_hours_sum,"
              + " actual_hours_count) SELECT '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', w, w + interval '1 hour', 7, 4, 2, 1, 6.0, 3 FROM (SELECT "
              + dayHour(1, 10)
              + " AS w) s",
          taskRollup(ORG_A, PROJECT_A2, dayHour(2, 10), 1, 0, 0),
          "INSERT INTO tasks (id, organization_id, project_id, status, priority, assigned_to,"
              + " created_at) VALUES"
              + " ('00000000-0000-0000-0000-000000000001', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'pending', 2, '"
              + ADA
              + "', "
              + dayHour(1, 12)
              + "), ('00000000-0000-0000-0000-000000000002', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'in_progress', 4, '"
              + ADA
              + "', "
              + dayHour(1, 12)
              + "), ('00000000-0000-0000-0000-000000000003', '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', 'completed', 3, NULL, "
              + dayHour(1, 12)
              + ")",
          "INSERT INTO task_executions (organization_id, task_id, status, started_at, completed_at)"
              + " VALUES ('"
              + ORG_A
              + "', '00000000-0000-0000-0000-000000000003', 'failed', "
              + dayHour(1, 12)
              + ", "
              + dayHour(1, 12)
              + " + interval '200 seconds'), ('"
              + ORG_A
              + "', '00000000-0000-0000-0000-000000000003', 'completed', "
              + dayHour(1, 13)
              + ", "
              + dayHour(1, 13)
              + " + interval '600 seconds'), ('"
              + ORG_A
              + "', '00000000-0000-0000-0000-000000000002', 'running', "
              + dayHour(1, 12)
              + ", NULL)",
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, event_count, started_count, completed_count, failed_count,"
              + " tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count,"
              + " duration_ms_sum, duration_count) VALUES "
              + agentRow(ORG_A, ALPHA, dayHour(1, 10), "4, 2, 1, 1, 3000, 1000000, 1.5, 2, 4000, 2")
              + ", "
              + agentRow(ORG_A, GAMMA_INACTIVE, dayHour(1, 10), "1, 1, 0, 0, 1, 1, 0, 0, 0, 0")
              + ", "
              + agentRow(ORG_A, UNREGISTERED, dayHour(1, 11), "1, 1, 0, 0, 10, 0, 0, 0, 0, 0"),
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, timestamp)"
              + " SELECT '"
              + ORG_A
              + "', 'cpu', 'gauge', v, "
              + hour(2)
              + " + make_interval(mins => v::int) FROM generate_series(1, 4) v",
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, timestamp)"
              + " VALUES (NULL, 'connections', 'gauge', 10, "
              + hour(2)
              + ")");

      String result = (String) Sql.value(c, "SELECT refresh_performance_views()::text");
      assertThat(result)
          .contains(
              "\"views_refreshed\": [\"mv_daily_task_summary\", \"mv_agent_performance_summary\","
                  + " \"mv_system_metrics_hourly\"]");
      assertThat(
              Sql.count(
                  c,
                  "SELECT count(*) FROM system_metrics WHERE metric_name ="
                      + " 'materialized_view_refresh_duration' AND unit = 'seconds'"))
          .isEqualTo(1);

      assertThat(
              Sql.tuples(
                  c,
                  "SELECT (now() AT TIME ZONE 'UTC')::date - date AS days_ago,"
                      + " project_id::text, total_tasks, completed_tasks, failed_tasks, active_tasks,"
                      + " avg_hours, avg_priority::text AS avg_priority, unique_assignees,"
                      + " avg_execution_seconds::text AS exec_seconds, successful_executions"
                      + " FROM mv_daily_task_summary ORDER BY date, project_id"))
          .containsExactly(
              row(2, PROJECT_A2, 1L, 0L, 0L, 0L, null, null, 0L, null, 0L),
              row(
                  1,
                  PROJECT_A1,
                  4L,
                  2L,
                  1L,
                  2L,
                  2.0,
                  "3.0000000000000000",
                  1L,
                  "400.0000000000000000",
                  1L));

      assertThat(
              Sql.tuples(
                  c,
                  "SELECT agent_id::text, agent_name, agent_type, total_tasks, completed_tasks,"
                      + " failed_tasks, avg_tokens::text AS avg_tokens, total_cost::text AS cost,"
                      + " avg_performance_score, avg_completion_seconds::text AS seconds"
                      + " FROM mv_agent_performance_summary ORDER BY agent_id"))
          .containsExactly(
              row(
                  ALPHA,
                  "alpha",
                  "codegen",
                  2L,
                  1L,
                  1L,
                  "1500.0000000000000000",
                  "1.000000",
                  0.75,
                  "2.0000000000000000"),
              row(
                  UNREGISTERED,
                  "agent-00000000",
                  "codegen",
                  1L,
                  0L,
                  0L,
                  "10.0000000000000000",
                  "0.000000",
                  null,
                  null));

      List<Map<String, Object>> metrics =
          Sql.rows(
              c,
              "SELECT organization_id::text, metric_name, measurement_count, avg_value, min_value,"
                  + " max_value, stddev_value, median_value, p95_value"
                  + " FROM mv_system_metrics_hourly ORDER BY metric_name");
      assertThat(metrics).hasSize(2);
      assertThat(metrics.get(0))
          .containsEntry("organization_id", null)
          .containsEntry("metric_name", "connections")
          .containsEntry("measurement_count", 1L)
          .containsEntry("avg_value", 10.0);
      assertThat(metrics.get(1))
          .containsEntry("organization_id", ORG_A)
          .containsEntry("metric_name", "cpu")
          .containsEntry("measurement_count", 4L)
          .containsEntry("avg_value", 2.5)
          .containsEntry("min_value", 1.0)
          .containsEntry("max_value", 4.0)
          .containsEntry("median_value", 2.5)
          .containsEntry("p95_value", 3 + (0.95 * 3 - 2) * (4 - 3));
      assertThat((Double) metrics.get(1).get("stddev_value"))
          .isCloseTo(Math.sqrt(5.0 / 3), org.assertj.core.data.Offset.offset(1e-12));

      // A second refresh (CONCURRENTLY, now that the views are populated) picks up the metric the
      // first one recorded, including the NULL-organization key.
      Sql.value(c, "SELECT refresh_performance_views()");
      assertThat(Sql.count(c, "SELECT count(*) FROM mv_system_metrics_hourly")).isEqualTo(3);
    }
  }

  @Test
  void shouldReportSlowStatementsAndConnectionFigures(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(c, "SELECT pg_stat_statements_reset()", "SELECT pg_sleep(0.2)");

      String json = (String) Sql.value(c, "SELECT get_performance_metrics(100)::text");
      Map<String, Object> figures =
          Sql.rows(
                  c,
                  "SELECT j -> 'slow_queries' -> 0 ->> 'query' AS query,"
                      + " (j -> 'slow_queries' -> 0 ->> 'calls')::int AS calls,"
                      + " jsonb_array_length(j -> 'slow_queries') AS slow,"
                      + " (j -> 'connections' ->> 'max_connections')::int"
                      + "   = current_setting('max_connections')::int AS max_ok,"
                      + " (j ->> 'database_size_mb')::bigint"
                      + "   = pg_database_size(current_database()) / 1024 / 1024 AS size_ok,"
                      + " jsonb_typeof(j -> 'index_usage') AS index_usage"
                      + " FROM (SELECT ?::jsonb AS j) s",
                  json)
              .get(0);
      assertThat(figures)
          .containsEntry("query", "SELECT pg_sleep($1)")
          .containsEntry("calls", 1)
          .containsEntry("slow", 1)
          .containsEntry("max_ok", true)
          .containsEntry("size_ok", true)
          .containsEntry("index_usage", "array");
    }
  }

  @Test
  void shouldRaiseSlowQueryAlertAboveThreshold(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(c, "SELECT pg_stat_statements_reset()", "SELECT pg_sleep(0.2)");

      String alerts =
          (String)
              Sql.value(
                  c,
                  "SELECT (j - 'timestamp')::text FROM (SELECT check_performance_alerts(0, 1.0,"
                      + " 100, 0) AS j) s");

      assertThat(alerts)
          .isEqualTo(
              Sql.jsonb(
                  c,
                  "{\"alert_count\": 1, \"alerts\": [{\"type\": \"slow_queries\", \"severity\":"
                      + " \"critical\", \"message\": \"Found 1 queries with mean time > 100 ms\","
                      + " \"value\": 1}]}"));
      // With the guide's thresholds one slow statement raises nothing.
      assertThat(Sql.value(c, "SELECT check_performance_alerts(0, 1.0) -> 'alerts' = '[]'::jsonb"))
          .isEqualTo(true);
    }
  }

  @Test
  void shouldAnalyzeTablesAndListThoseNeedingVacuum(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          "INSERT INTO learning_patterns (organization_id, pattern_type, confidence_score)"
              + " SELECT '"
              + ORG_A
              + "', 'p', 0.5 FROM generate_series(1, 100)",
          "SELECT pg_stat_force_next_flush()",
          "DELETE FROM learning_patterns WHERE ctid IN (SELECT ctid FROM learning_patterns LIMIT 60)",
          "SELECT pg_stat_force_next_flush()");

      Map<String, Object> result =
          Sql.rows(
                  c,
                  "SELECT j ->> 'status' AS status,"
                      + " (j -> 'optimizations' -> 'needs_vacuum')::text AS needs_vacuum,"
                      + " (j -> 'optimizations' ->> 'missing_index_suggestions')::int AS suggestions,"
                      + " (j -> 'optimizations' -> 'analyzed_tables') @> '[\"learning_patterns\"]' AS analyzed"
                      + " FROM (SELECT optimize_database_performance() AS j) s")
              .get(0);

      assertThat(result)
          .containsEntry("status", "completed")
          .containsEntry(
              "needs_vacuum",
              Sql.jsonb(
                  c,
                  "[{\"table\": \"public.learning_patterns\", \"dead_tuples\": 60,"
                      + " \"live_tuples\": 40}]"))
          .containsEntry("suggestions", 0)
          .containsEntry("analyzed", true);
      assertThat(
              Sql.value(
                  c,
                  "SELECT (context ->> 'needs_vacuum')::int FROM system_metrics"
                      + " WHERE metric_name = 'database_optimization_completed'"))
          .isEqualTo(1);
    }
  }

  @Test
  void shouldRunGuideQueriesOnceWhenDurationIsZero(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThat(
              Sql.rows(
                  c,
                  "SELECT (j ->> 'queries_executed')::int AS queries, (j ->> 'errors')::int AS errors,"
                      + " (j ->> 'concurrent_queries')::int AS concurrent"
                      + " FROM (SELECT simulate_high_load(0, 7) AS j) s"))
          .containsExactly(Map.of("queries", 3, "errors", 0, "concurrent", 7));
    }
  }

  @Test
  void shouldReportCriticalHealthWhenNextMonthHasNoPartition(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThat(Sql.value(c, "SELECT get_system_health() ->> 'status'")).isEqualTo("healthy");
      assertThat(Sql.value(c, "SELECT (get_system_health() -> 'issues')::text")).isEqualTo("[]");

      String next =
          (String)
              Sql.value(
                  c,
                  "SELECT 'system_metrics_p' || to_char(date_trunc('month', now() AT TIME ZONE"
                      + " 'UTC') + interval '1 month', 'YYYYMM')");
      Sql.exec(c, "DROP TABLE " + next);

      assertThat(Sql.value(c, "SELECT get_system_health() ->> 'status'")).isEqualTo("critical");
      assertThat(Sql.value(c, "SELECT (get_system_health() -> 'issues')::text"))
          .isEqualTo("[\"missing partition " + next + "\"]");
    }
  }

  private static String agentRow(String org, String agent, String windowStart, String measures) {
    return "('"
        + org
        + "', '"
        + agent
        + "', 'codegen', "
        + windowStart
        + ", "
        + windowStart
        + " + interval '1 hour', "
        + measures
        + ")";
  }

  private static String taskRollup(
      String org, String project, String windowStart, int created, int completed, int failed) {
    return "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
        + " event_count, created_count, completed_count, failed_count) SELECT '"
        + org
        + "', '"
        + project
        + "', w, w + interval '1 hour', "
        + (created + completed + failed)
        + ", "
        + created
        + ", "
        + completed
        + ", "
        + failed
        + " FROM (SELECT "
        + windowStart
        + " AS w) s";
  }

  /** A row as its column values in order, as {@link Sql#tuples} returns them. */
  private static List<Object> row(Object... values) {
    return java.util.Arrays.asList(values);
  }
}
