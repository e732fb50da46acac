package dev.hourglass.schema;

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
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * V29 keeps daily rollups beside the hourly ones and the two analyst functions read them: after
 * every kind of change to the hourly tables, each daily table holds exactly the GROUP BY of its
 * hourly table, and each function returns exactly what its V12 version (over the hourly rows)
 * returns, for periods whose edges fall inside days and on midnights, in a session whose time zone
 * is not UTC.
 */
@HourglassIT
class DailyRollupsIT {
  /** get_agent_performance_metrics periods, NULL and a negative one included. */
  private static final List<String> PERIODS =
      List.of("30 days", "7 days", "36 hours", "1 hour", "1 month", "400 days", "-2 hours", "NULL");

  /** get_organization_analytics ranges, as SQL date expressions. */
  private static final List<String> RANGES =
      List.of(
          "CURRENT_DATE - 30, CURRENT_DATE",
          "CURRENT_DATE - 3, CURRENT_DATE - 1",
          "CURRENT_DATE, CURRENT_DATE + 1",
          "CURRENT_DATE - 1000, CURRENT_DATE + 1000",
          "CURRENT_DATE, CURRENT_DATE - 5",
          "NULL, CURRENT_DATE");

  /** Each daily table with the GROUP BY of its hourly table that it must equal. */
  private static final List<List<String>> TABLES =
      List.of(
          List.of(
              "task_rollups_daily",
              "SELECT organization_id, project_id, day, hour_rows, created_count, completed_count"
                  + " FROM task_rollups_daily",
              "SELECT organization_id, project_id, (window_start AT TIME ZONE 'UTC')::date,"
                  + " count(*), sum(created_count), sum(completed_count)"
                  + " FROM task_rollups_hourly GROUP BY 1, 2, 3"),
          List.of(
              "agent_rollups_daily",
              "SELECT organization_id, agent_id, day, hour_rows, started_count, completed_count,"
                  + " failed_count, cost_micros_sum, performance_score_sum,"
                  + " performance_score_count, duration_ms_sum, duration_count"
                  + " FROM agent_rollups_daily",
              "SELECT organization_id, agent_id, (window_start AT TIME ZONE 'UTC')::date,"
                  + " count(*), sum(started_count), sum(completed_count), sum(failed_count),"
                  + " sum(cost_micros_sum), sum(performance_score_sum::numeric),"
                  + " sum(performance_score_count), sum(duration_ms_sum), sum(duration_count)"
                  + " FROM agent_rollups_hourly GROUP BY 1, 2, 3"),
          List.of(
              "integration_rollups_daily",
              "SELECT organization_id, integration_type, day, hour_rows, event_count, error_count"
                  + " FROM integration_rollups_daily",
              "SELECT organization_id, integration_type, (window_start AT TIME ZONE 'UTC')::date,"
                  + " count(*), sum(event_count), sum(error_count)"
                  + " FROM integration_rollups_hourly GROUP BY 1, 2, 3"));

  /** The V12 functions, as created, renamed v12_*, so that both versions can run side by side. */
  static void createV12Functions(Connection c) throws SQLException, IOException {
    String sql;
    try (InputStream in =
        DailyRollupsIT.class.getResourceAsStream("/db/migration/V12__seed_functions.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m =
        Pattern.compile(
                "CREATE FUNCTION (get_agent_performance_metrics|get_organization_analytics)\\("
                    + "(.*?\\n\\$\\$;)",
                Pattern.DOTALL)
            .matcher(sql);
    int created = 0;
    while (m.find()) {
      Sql.exec(c, "CREATE FUNCTION v12_" + m.group(1) + "(" + m.group(2));
      created++;
    }
    assertThat(created).isEqualTo(2);
  }

  @Test
  void shouldGiveTheHourlyResultsAfterEveryKindOfChange(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      // Local midnight is not UTC midnight here, and local hours start at :15 UTC.
      Sql.exec(c, "SET TimeZone = 'Asia/Kathmandu'");
      createV12Functions(c);
      Fixtures.tenants(c);
      data(c);
      assertSameAsHourly(c);
      assertThat(Sql.count(c, "SELECT count(*) FROM agent_rollups_daily")).isGreaterThan(100);

      // The sink's upsert: new hours, and the current ones again with more counted.
      Sql.exec(
          c,
          "INSERT INTO agent_rollups_hourly AS t (organization_id, agent_id, agent_type,"
              + " window_start, window_end, started_count, completed_count,"
              + " performance_score_sum, performance_score_count, duration_ms_sum, duration_count,"
              + " revision) SELECT '"
              + ORG_A
              + "', a, 'codegen', w, w + interval '1 hour', 2, 1, 0.75, 1, 500, 1, 9"
              + " FROM unnest(ARRAY['"
              + ALPHA
              + "', '"
              + BETA
              + "']::uuid[]) a, generate_series(0, 30) h,"
              + " LATERAL (SELECT date_trunc('hour', now()) - make_interval(hours => h) AS w) x"
              + " ON CONFLICT (organization_id, agent_id, window_start) DO UPDATE SET"
              + " started_count = t.started_count + EXCLUDED.started_count,"
              + " performance_score_sum = t.performance_score_sum"
              + " + EXCLUDED.performance_score_sum, revision = EXCLUDED.revision"
              + " WHERE t.revision < EXCLUDED.revision");
      assertSameAsHourly(c);

      // Corrections of past hours, late events, and an update that changes no measure.
      Sql.exec(
          c,
          "UPDATE agent_rollups_hourly SET completed_count = completed_count + 2,"
              + " failed_count = failed_count + 1, performance_score_sum = performance_score_sum"
              + " + 0.5, performance_score_count = performance_score_count + 1,"
              + " late_event_count = late_event_count + 3"
              + " WHERE window_start < now() - interval '10 days'",
          "UPDATE task_rollups_hourly SET created_count = created_count + 1"
              + " WHERE window_start BETWEEN now() - interval '20 days' AND now() - interval '2 days'",
          "UPDATE integration_rollups_hourly SET error_count = error_count + 1"
              + " WHERE integration_type = 'jira'",
          "UPDATE agent_rollups_hourly SET revision = revision + 1, is_final = true");
      assertSameAsHourly(c);

      // Hours moved: within a day, to another day, and to another month's partition.
      Sql.exec(
          c,
          "UPDATE agent_rollups_hourly SET window_start = window_start + interval '1 hour',"
              + " window_end = window_end + interval '1 hour'"
              + " WHERE agent_id = '"
              + UNREGISTERED
              + "'",
          "UPDATE task_rollups_hourly SET window_start = window_start - interval '50 hours',"
              + " window_end = window_end - interval '50 hours' WHERE project_id = '"
              + PROJECT_A2
              + "' AND window_start > now() - interval '5 days'",
          "UPDATE agent_rollups_hourly SET window_start = window_start - interval '45 days',"
              + " window_end = window_end - interval '45 days' WHERE agent_id = '"
              + BETA
              + "' AND window_start > now() - interval '3 days'");
      assertSameAsHourly(c);

      // Whole days deleted (their daily rows must go), then one tenant's rollups altogether.
      Sql.exec(
          c,
          "DELETE FROM agent_rollups_hourly WHERE window_start >= date_trunc('day', now()"
              + " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '8 days'"
              + " AND window_start < date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE"
              + " 'UTC' - interval '6 days'",
          "DELETE FROM task_rollups_hourly WHERE organization_id = '" + ORG_B + "'",
          "DELETE FROM agent_rollups_hourly WHERE organization_id = '" + ORG_B + "'",
          "DELETE FROM integration_rollups_hourly WHERE organization_id = '" + ORG_B + "'");
      assertSameAsHourly(c);
      assertThat(
              Sql.count(
                  c,
                  "SELECT (SELECT count(*) FROM task_rollups_daily WHERE organization_id = ?::uuid)"
                      + " + (SELECT count(*) FROM agent_rollups_daily WHERE organization_id ="
                      + " ?::uuid) + (SELECT count(*) FROM integration_rollups_daily"
                      + " WHERE organization_id = ?::uuid)",
                  ORG_B,
                  ORG_B,
                  ORG_B))
          .isZero();

      Sql.exec(c, "TRUNCATE integration_rollups_hourly");
      assertSameAsHourly(c);
      assertThat(Sql.count(c, "SELECT count(*) FROM integration_rollups_daily")).isZero();
    }
  }

  @Test
  void shouldCountTheHoursAtThePeriodsEdgesAsTheHourlyFunctionDoes(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(c, "SET TimeZone = 'America/New_York'");
      createV12Functions(c);
      Fixtures.tenants(c);
      c.setAutoCommit(false);
      // Rows at the instants where the 30-day period starts (excluded) and just after it, and at
      // the UTC midnights around it, inserted in the transaction that reads them: one now().
      String since = "(now() - interval '30 days' - interval '1 hour')";
      String midnight =
          "(((" + since + " AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC')";
      Sql.exec(
          c,
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, started_count, completed_count, cost_micros_sum,"
              + " performance_score_sum, performance_score_count) SELECT '"
              + ORG_A
              + "', '"
              + ALPHA
              + "', 'codegen', w, w + interval '1 hour', k, k, 1000 * k, 0.25 * k, 1"
              + " FROM (VALUES (1, "
              + since
              + "), (2, "
              + since
              + " + interval '1 microsecond'), (4, "
              + since
              + " - interval '1 microsecond'), (8, "
              + midnight
              + "), (16, "
              + midnight
              + " - interval '1 microsecond'), (32, "
              + midnight
              + " + interval '1 day' - interval '1 microsecond')) v(k, w)");
      assertThat(
              Sql.value(
                  c,
                  "SELECT total_tasks FROM get_agent_performance_metrics(?::uuid) WHERE agent_id"
                      + " = ?::uuid",
                  ORG_A,
                  ALPHA))
          .isEqualTo(2L + 8 + 16 + 32);
      assertFunctionsAsV12(c);
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  @Test
  void shouldDropTheDailyRowsOfADroppedRollupPartition(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      createV12Functions(c);
      String old = "(date_trunc('month', now()) - interval '30 months')";
      Sql.exec(
          c,
          "SELECT create_monthly_partition(t, "
              + old
              + "::date)"
              + " FROM unnest(ARRAY['task_rollups_hourly', 'agent_rollups_hourly',"
              + " 'integration_rollups_hourly']) t",
          "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start,"
              + " window_end, created_count) SELECT '"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', w, w + interval '1 hour', 3 FROM (VALUES ("
              + old
              + "), ("
              + old
              + " + interval '40 hours'), (date_trunc('hour', now()))) v(w)",
          "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
              + " window_start, window_end, event_count) SELECT '"
              + ORG_A
              + "', 'github', w, w + interval '1 hour', 5 FROM (VALUES ("
              + old
              + "), (date_trunc('hour', now()))) v(w)");
      assertThat(Sql.count(c, "SELECT count(*) FROM task_rollups_daily")).isEqualTo(3);

      assertThat(Sql.count(c, "SELECT count(*) FROM drop_partitions_older_than(NULL, NULL)"))
          .isEqualTo(3);

      assertSameAsHourly(c);
      assertThat(Sql.count(c, "SELECT count(*) FROM task_rollups_daily")).isEqualTo(1);
      assertThat(Sql.count(c, "SELECT count(*) FROM integration_rollups_daily")).isEqualTo(1);
    }
  }

  /** Tables equal to the GROUP BY of their hourly tables, functions equal to V12's. */
  private static void assertSameAsHourly(Connection c) throws SQLException {
    for (List<String> t : TABLES) {
      assertThat(
              Sql.count(c, "SELECT count(*) FROM (" + t.get(1) + " EXCEPT ALL " + t.get(2) + ") x"))
          .as("%s rows its hourly rows do not give", t.get(0))
          .isZero();
      assertThat(
              Sql.count(c, "SELECT count(*) FROM (" + t.get(2) + " EXCEPT ALL " + t.get(1) + ") x"))
          .as("%s rows missing", t.get(0))
          .isZero();
    }
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      assertFunctionsAsV12(c);
      c.commit();
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** Both organizations, every period and range, as text (numeric scales and order included). */
  private static void assertFunctionsAsV12(Connection c) throws SQLException {
    for (String org : List.of(ORG_A, ORG_B)) {
      for (String period : PERIODS) {
        String args =
            "'"
                + org
                + "'::uuid, "
                + (period.equals("NULL") ? "NULL" : "'" + period + "'")
                + "::interval";
        String query =
            "SELECT string_agg(f::text, ' | ' ORDER BY f.ordinality) FROM %s("
                + args
                + ")"
                + " WITH ORDINALITY f";
        assertThat(Sql.value(c, String.format(query, "get_agent_performance_metrics")))
            .as("get_agent_performance_metrics(%s, %s)", org, period)
            .isEqualTo(Sql.value(c, String.format(query, "v12_get_agent_performance_metrics")));
      }
      for (String range : RANGES) {
        String query = "SELECT %s('" + org + "'::uuid, " + range + ")::text";
        assertThat(Sql.value(c, String.format(query, "get_organization_analytics")))
            .as("get_organization_analytics(%s, %s)", org, range)
            .isEqualTo(Sql.value(c, String.format(query, "v12_get_organization_analytics")));
      }
      assertThat(Sql.value(c, "SELECT get_organization_analytics(?::uuid)::text", org).toString())
          .isEqualTo(
              Sql.value(c, "SELECT v12_get_organization_analytics(?::uuid)::text", org).toString());
    }
  }

  /**
   * Hourly rollups of A (two projects, four agents of which one inactive and one unregistered, two
   * integration types) and B over 40 days, a few hours ahead of now too, at strides that leave some
   * days without rows. Scores are multiples of 0.25, whose double sums are exact.
   */
  private static void data(Connection c) throws SQLException {
    String hours =
        " generate_series(-3, 24 * 40, %d) h, LATERAL (SELECT date_trunc('hour', now())"
            + " - make_interval(hours => h) AS w) x";
    Sql.exec(
        c,
        "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
            + " created_count, completed_count) SELECT o, p, w, w + interval '1 hour', (h + 3) % 5,"
            + " (h + 3) % 3 FROM (VALUES ('"
            + ORG_A
            + "'::uuid, '"
            + PROJECT_A1
            + "'::uuid), ('"
            + ORG_A
            + "', '"
            + PROJECT_A2
            + "'), ('"
            + ORG_B
            + "', '"
            + PROJECT_B1
            + "')) v(o, p),"
            + String.format(hours, 7),
        "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
            + " window_end, started_count, completed_count, failed_count, cost_micros_sum,"
            + " performance_score_sum, performance_score_count, duration_ms_sum, duration_count)"
            + " SELECT o, a, 'codegen', w, w + interval '1 hour', (h + 5) % 5, (h + 3) % 3,"
            + " (h + 4) % 2, (h + 3) * 1000, ((h + 4) % 4) * 0.25, (h + 3) % 3, (h + 3) * 100,"
            + " (h + 4) % 4 FROM (VALUES ('"
            + ORG_A
            + "'::uuid, '"
            + ALPHA
            + "'::uuid), ('"
            + ORG_A
            + "', '"
            + BETA
            + "'), ('"
            + ORG_A
            + "', '"
            + GAMMA_INACTIVE
            + "'), ('"
            + ORG_A
            + "', '"
            + UNREGISTERED
            + "'), ('"
            + ORG_B
            + "', '"
            + AGENT_B
            + "')) v(o, a),"
            + String.format(hours, 5),
        "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
            + " window_start, window_end, event_count, error_count) SELECT o, t, w,"
            + " w + interval '1 hour', (h + 7) % 7, (h + 4) % 2 FROM (VALUES ('"
            + ORG_A
            + "'::uuid, 'github'), ('"
            + ORG_A
            + "', 'jira'), ('"
            + ORG_B
            + "', 'github')) v(o, t),"
            + String.format(hours, 3));
  }
}
