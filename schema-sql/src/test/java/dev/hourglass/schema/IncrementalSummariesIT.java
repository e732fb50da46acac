package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * V27 maintains mv_daily_task_summary and mv_agent_performance_summary from the keys that changed:
 * after every kind of change to their sources, each refreshed view holds exactly the rows of its
 * V13 query run in full, and a refresh recomputes the changed keys only.
 */
@HourglassIT
class IncrementalSummariesIT {
  private static final String TASK_VIEW = "mv_daily_task_summary";
  private static final String AGENT_VIEW = "mv_agent_performance_summary";

  /** The V13 queries, as created, by view name. */
  private static Map<String, String> v13Queries() throws IOException {
    String sql;
    try (InputStream in =
        IncrementalSummariesIT.class.getResourceAsStream(
            "/db/migration/V13__materialized_views.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> queries = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("CREATE MATERIALIZED VIEW (\\w+) AS(.*?);", Pattern.DOTALL).matcher(sql);
    while (m.find()) {
      queries.put(m.group(1), m.group(2));
    }
    return queries;
  }

  @Test
  void shouldHoldTheFullQueriesRowsAfterEveryKindOfChange(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    Map<String, String> v13 = v13Queries();
    try (Connection c = db.connect()) {
      data(c);
      // Today and the 90 (30) days before it, for 6 projects (9 agents).
      assertEqualToFullQueries(c, v13, 6 * 91, 9 * 31);

      Sql.exec(
          c,
          "UPDATE task_rollups_hourly SET completed_count = completed_count + 1"
              + " WHERE window_start > date_trunc('day', now()) - interval '3 days'",
          "UPDATE tasks SET status = 'completed' WHERE priority = 2",
          // A task whose day of creation moves: both days change.
          "UPDATE tasks SET created_at = created_at - interval '1 day'"
              + " WHERE priority = 3 AND status = 'pending'",
          "DELETE FROM task_executions WHERE status = 'failed'"
              + " AND started_at > date_trunc('day', now()) - interval '20 days'",
          "UPDATE task_executions SET completed_at = completed_at + interval '5 seconds'"
              + " WHERE status = 'running'",
          "DELETE FROM tasks WHERE priority = 5 AND status = 'completed'",
          "UPDATE codegen_agents SET name = 'renamed' WHERE name = 'agent 1'",
          "UPDATE codegen_agents SET is_active = false WHERE name = 'agent 2'"
              + " AND organization_id = md5('o2')::uuid",
          // Registered after its rollups arrived: name and type change on every day.
          "INSERT INTO codegen_agents (id, organization_id, name, agent_type)"
              + " VALUES (md5('a13')::uuid, md5('o1')::uuid, 'late', 'reviewer')",
          "DELETE FROM agent_rollups_hourly"
              + " WHERE window_start >= date_trunc('day', now()) - interval '12 days'"
              + " AND window_start < date_trunc('day', now()) - interval '10 days'");
      assertEqualToFullQueries(c, v13, -1, -1);

      // Rollups moved to another month's partition (a DELETE and an INSERT for row triggers).
      Sql.exec(
          c,
          "UPDATE task_rollups_hourly SET window_start = window_start - interval '40 days',"
              + " window_end = window_end - interval '40 days'"
              + " WHERE window_start > date_trunc('day', now()) - interval '2 days'"
              + " AND organization_id = md5('o1')::uuid",
          "UPDATE agent_rollups_hourly SET window_start = window_start - interval '481 hours',"
              + " window_end = window_end - interval '481 hours'"
              + " WHERE window_start > date_trunc('day', now()) - interval '1 day'"
              + " AND organization_id = md5('o1')::uuid");
      assertEqualToFullQueries(c, v13, -1, -1);

      Sql.exec(c, "TRUNCATE task_rollups_hourly", "UPDATE codegen_agents SET is_active = true");
      assertEqualToFullQueries(c, v13, -1, -1);
    }
  }

  @Test
  void shouldRecomputeOnlyTheChangedKeys(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      data(c);
      Sql.value(c, "SELECT refresh_performance_views()");

      // The sink advances last_used_at on every agent event: the summary does not read it.
      Sql.exec(c, "UPDATE codegen_agents SET last_used_at = now()");
      assertThat(Sql.count(c, "SELECT count(*) FROM summary_changes_agent")).isZero();

      Sql.exec(
          c,
          "UPDATE task_rollups_hourly SET completed_count = completed_count + 1"
              + " WHERE organization_id = md5('o1')::uuid AND project_id = md5('p11')::uuid"
              + " AND window_start = date_trunc('day', now()) - interval '49 hours'",
          "UPDATE agent_rollups_hourly SET started_count = started_count + 1"
              + " WHERE organization_id = md5('o1')::uuid AND agent_id = md5('a11')::uuid"
              + " AND window_start = date_trunc('day', now()) - interval '120 hours'");
      assertThat(
              Sql.value(
                  c,
                  "SELECT (s->>'task_summary_rows_recomputed') || ' ' ||"
                      + " (s->>'agent_summary_rows_recomputed')"
                      + " FROM (SELECT refresh_performance_views()->'summaries' AS s) r"))
          .isEqualTo("1 1");
      assertThat(Sql.count(c, "SELECT count(*) FROM summary_changes_task")).isZero();
    }
  }

  /**
   * Refreshes, then compares each view with its V13 query in the same transaction (one CURRENT_DATE
   * for both); a row count of -1 is not checked.
   */
  private static void assertEqualToFullQueries(
      Connection c, Map<String, String> v13, long taskRows, long agentRows) throws SQLException {
    c.setAutoCommit(false);
    try {
      Sql.value(c, "SELECT refresh_performance_views()");
      for (String view : List.of(TASK_VIEW, AGENT_VIEW)) {
        String query = v13.get(view);
        assertThat(
                Sql.count(
                    c,
                    "SELECT count(*) FROM (SELECT * FROM "
                        + view
                        + " EXCEPT ALL ("
                        + query
                        + ")) x"))
            .as("%s rows its V13 query does not give", view)
            .isZero();
        assertThat(
                Sql.count(
                    c,
                    "SELECT count(*) FROM (("
                        + query
                        + ") EXCEPT ALL SELECT * FROM "
                        + view
                        + ") x"))
            .as("%s rows missing", view)
            .isZero();
        assertThat(Sql.count(c, "SELECT count(*) FROM " + view)).isPositive();
      }
      if (taskRows >= 0) {
        assertThat(Sql.count(c, "SELECT count(*) FROM " + TASK_VIEW)).isEqualTo(taskRows);
        assertThat(Sql.count(c, "SELECT count(*) FROM " + AGENT_VIEW)).isEqualTo(agentRows);
      }
      c.commit();
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Three organizations of two projects and three agents: hourly task rollups every 7 hours over 95
   * days (some outside the 90-day window), tasks every 13 hours with executions, agent rollups
   * every 5 hours over 35 days (some outside the 30), two of the three agents registered.
   */
  private static void data(Connection c) throws SQLException {
    String day = "date_trunc('day', now())";
    Sql.exec(
        c,
        "INSERT INTO organizations (id, name) SELECT md5('o' || o)::uuid, 'o' || o"
            + " FROM generate_series(1, 3) o",
        "INSERT INTO projects (id, organization_id, name) SELECT md5('p' || o || p)::uuid,"
            + " md5('o' || o)::uuid, 'p' FROM generate_series(1, 3) o, generate_series(1, 2) p",
        "INSERT INTO users (id, organization_id, name, email) SELECT md5('u' || o || u)::uuid,"
            + " md5('o' || o)::uuid, 'u', 'u' || o || u || '@x.invalid'"
            + " FROM generate_series(1, 3) o, generate_series(1, 3) u",
        "SELECT create_monthly_partition(t, ("
            + day
            + " - make_interval(days => d))::date)"
            + " FROM unnest(ARRAY['task_rollups_hourly', 'agent_rollups_hourly']) t,"
            + " generate_series(0, 100, 10) d",
        "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
            + " created_count, completed_count, failed_count, actual_hours_sum, actual_hours_count,"
            + " duration_histogram) SELECT md5('o' || o)::uuid, md5('p' || o || p)::uuid, w,"
            + " w + interval '1 hour', h % 5, h % 3, h % 2, h * 0.5, h % 4,"
            + " array_fill((h % 7)::bigint, ARRAY[128])"
            + " FROM generate_series(1, 3) o, generate_series(1, 2) p,"
            + " generate_series(0, 24 * 95 - 1, 7) h,"
            + " LATERAL (SELECT "
            + day
            + " - make_interval(hours => h) AS w) x",
        "INSERT INTO tasks (id, organization_id, project_id, title, status, priority, assigned_to,"
            + " created_at) SELECT md5('t' || o || p || i)::uuid, md5('o' || o)::uuid,"
            + " md5('p' || o || p)::uuid, 'task',"
            + " (ARRAY['pending', 'in_progress', 'completed', 'failed'])[1 + i % 4], 1 + i % 5,"
            + " md5('u' || o || (1 + i % 3))::uuid, "
            + day
            + " - make_interval(hours => i * 13)"
            + " FROM generate_series(1, 3) o, generate_series(1, 2) p, generate_series(0, 180) i",
        "INSERT INTO task_executions (organization_id, task_id, status, started_at, completed_at)"
            + " SELECT md5('o' || o)::uuid, md5('t' || o || p || i)::uuid,"
            + " (ARRAY['completed', 'failed', 'running'])[1 + (i + k) % 3], s,"
            + " s + make_interval(secs => 100 * k + i)"
            + " FROM generate_series(1, 3) o, generate_series(1, 2) p,"
            + " generate_series(0, 180, 3) i, generate_series(1, 2) k,"
            + " LATERAL (SELECT "
            + day
            + " - make_interval(hours => i * 13) AS s) x",
        "INSERT INTO codegen_agents (id, organization_id, name, agent_type)"
            + " SELECT md5('a' || o || a)::uuid, md5('o' || o)::uuid, 'agent ' || a, 'codegen'"
            + " FROM generate_series(1, 3) o, generate_series(1, 2) a",
        "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
            + " window_end, started_count, completed_count, failed_count, tokens_used_sum,"
            + " cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum,"
            + " duration_count, duration_histogram) SELECT md5('o' || o)::uuid,"
            + " md5('a' || o || a)::uuid, 'codegen', w, w + interval '1 hour', h % 5, h % 3, h % 2,"
            + " h * 10, h * 1000, (h % 10) / 10.0, h % 3, h * 100, h % 4,"
            + " array_fill((h % 5)::bigint, ARRAY[128])"
            + " FROM generate_series(1, 3) o, generate_series(1, 3) a,"
            + " generate_series(0, 24 * 35 - 1, 5) h,"
            + " LATERAL (SELECT "
            + day
            + " - make_interval(hours => h) AS w) x");
  }
}
