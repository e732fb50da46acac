package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * V28 maintains mv_system_metrics_hourly from the hours that changed: after every kind of change to
 * system_metrics, and as the 7-day window moves on, the table behind the view and the refreshed
 * view hold exactly the rows of the V13 query run in full, and a refresh recomputes the changed
 * hours and the window's oldest one only.
 *
 * <p>Every value is a multiple of 105 and no group has more than 10 rows: stddev's running sums
 * (Youngs-Cramer) then stay exact in double precision whatever the order in which a group's rows
 * are read, so the two computations must agree to the last bit. With arbitrary values they may
 * differ in the last bits of stddev_value, as two runs of the V13 query reading rows in another
 * order may.
 */
@HourglassIT
class IncrementalSystemMetricsIT {
  private static final String VIEW = "mv_system_metrics_hourly";
  private static final String STORE = "system_metrics_hourly_store";
  private static final String O1 = "md5('o1')::uuid";
  private static final String O2 = "md5('o2')::uuid";
  private static final String HOUR = "date_trunc('hour', now())";

  /** The V13 query of mv_system_metrics_hourly, as created. */
  private static String v13Query() throws IOException {
    String sql;
    try (InputStream in =
        IncrementalSystemMetricsIT.class.getResourceAsStream(
            "/db/migration/V13__materialized_views.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m =
        Pattern.compile("CREATE MATERIALIZED VIEW " + VIEW + " AS(.*?);", Pattern.DOTALL)
            .matcher(sql);
    assertThat(m.find()).as("V13 creates %s", VIEW).isTrue();
    return m.group(1);
  }

  @Test
  void shouldHoldTheFullQueryRowsAfterEveryKindOfChange(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    String v13 = v13Query();
    try (Connection c = db.connect()) {
      data(c);
      // 4 organizations (one of them NULL) x 2 metrics x the 34 data hours of the window.
      assertEqualToFullQuery(c, v13, 4 * 2 * 34);

      // Moves alone first: each changes the hour it leaves, which no other change here logs.
      Sql.exec(
          c,
          // Rows move to other hours, of the window and from outside it into it.
          "UPDATE system_metrics SET timestamp = timestamp - interval '3 hours'"
              + " WHERE metric_name = 'latency' AND organization_id = "
              + O2
              + " AND timestamp > now() - interval '2 days'",
          "UPDATE system_metrics SET timestamp = timestamp + interval '2 days'"
              + " WHERE organization_id = "
              + O2
              + " AND timestamp < now() - interval '7 days'",
          // Rows move to a month two months back: another partition, out of the window.
          "UPDATE system_metrics SET timestamp = timestamp - interval '60 days'"
              + " WHERE metric_name = 'cpu' AND organization_id = "
              + O1
              + " AND timestamp > now() - interval '1 day'");
      assertEqualToFullQuery(c, v13, -1);

      Sql.exec(
          c,
          // Inserts in the current hour and a past one, for an organization and for none.
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, timestamp)"
              + " VALUES (NULL, 'cpu', 'gauge', 315, "
              + HOUR
              + " - interval '30 hours' + interval '1 minute'), ("
              + O1
              + ", 'cpu', 'gauge', 420, "
              + HOUR
              + " + interval '2 minutes'), (NULL, 'new', 'counter', 105, "
              + HOUR
              + " + interval '3 minutes')",
          // Values change in place.
          "UPDATE system_metrics SET value = value + 210 WHERE metric_name = 'cpu'"
              + " AND timestamp >= "
              + HOUR
              + " - interval '50 hours' AND timestamp < "
              + HOUR
              + " - interval '40 hours'",
          // Rows leave their organization for the database-wide ones (NULL).
          "UPDATE system_metrics SET organization_id = NULL WHERE metric_name = 'cpu'"
              + " AND organization_id = md5('o3')::uuid",
          // Deletes: a retention-like one, and an organization's rows by its cascade.
          "DELETE FROM system_metrics WHERE organization_id IS NULL AND metric_name = 'latency'"
              + " AND timestamp > now() - interval '3 days'",
          "DELETE FROM organizations WHERE id = md5('o3')::uuid");
      assertEqualToFullQuery(c, v13, -1);

      // The window's edge: a row exactly at its start and one 40 minutes later, written in the
      // refresh's transaction (one CURRENT_TIMESTAMP), are both in; at the next refresh, with
      // nothing written in between, the first has left the window.
      assertEqualToFullQuery(
          c,
          v13,
          -1,
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, timestamp)"
              + " VALUES (NULL, 'edge', 'gauge', 105, now() - interval '168 hours'),"
              + " (NULL, 'edge', 'gauge', 210, now() - interval '167 hours 20 minutes')");
      assertThat(edgeMeasurements(c)).isEqualTo(2);
      Awaitility.await()
          .until(
              () ->
                  Sql.count(
                          c,
                          "SELECT count(*) FROM system_metrics WHERE metric_name = 'edge'"
                              + " AND timestamp >= now() - interval '168 hours'")
                      == 1);
      assertThat(Sql.count(c, "SELECT count(*) FROM system_metrics_changes")).isZero();
      assertEqualToFullQuery(c, v13, -1);
      assertThat(edgeMeasurements(c)).isEqualTo(1);

      // An hour left behind by an earlier refresh that has since left the window is dropped.
      Sql.exec(
          c,
          "INSERT INTO "
              + STORE
              + " (hour, organization_id, metric_name, metric_type, measurement_count)"
              + " VALUES ("
              + HOUR
              + " - interval '8 days', NULL, 'stale', 'gauge', 1)");
      assertEqualToFullQuery(c, v13, -1);
      assertThat(Sql.count(c, "SELECT count(*) FROM " + STORE + " WHERE metric_name = 'stale'"))
          .isZero();

      // TRUNCATE: everything is recomputed.
      Sql.exec(c, "TRUNCATE system_metrics");
      data(c);
      assertEqualToFullQuery(c, v13, 4 * 2 * 34);
    }
  }

  @Test
  void shouldRecomputeOnlyTheChangedHours(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      data(c);
      // The 34 data hours of the window, and its oldest hour.
      assertThat(recomputed(c)).isEqualTo("35 false");
      // Only the oldest hour, and the hour of the previous run's own duration metric.
      assertThat(recomputed(c)).isEqualTo("2 false");
      assertThat(Sql.count(c, "SELECT count(*) FROM system_metrics_changes")).isOne();

      // Rows older than the window are not logged: they never count again.
      Sql.exec(
          c,
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, timestamp)"
              + " VALUES (NULL, 'old', 'gauge', 105, now() - interval '168 hours 1 second')");
      assertThat(Sql.count(c, "SELECT count(*) FROM system_metrics_changes")).isOne();
      Sql.exec(
          c,
          "UPDATE system_metrics SET value = value + 105 WHERE organization_id = "
              + O1
              + " AND metric_name = 'cpu' AND timestamp = (SELECT max(timestamp)"
              + " FROM system_metrics WHERE organization_id = "
              + O1
              + " AND metric_name = 'cpu' AND timestamp < now() - interval '1 day')");
      // The updated hour, the oldest one, and the previous run's duration metric's.
      assertThat(recomputed(c)).isEqualTo("3 false");
      assertThat(Sql.count(c, "SELECT count(*) FROM system_metrics_changes")).isOne();
    }
  }

  /**
   * refresh_performance_views(): the hours its metrics part recomputed and whether it rebuilt
   * everything.
   */
  private static String recomputed(Connection c) throws SQLException {
    return (String)
        Sql.value(
            c,
            "SELECT (s->>'system_metrics_hours_recomputed') || ' ' || (s->>'system_metrics_rebuilt')"
                + " FROM (SELECT refresh_performance_views()->'system_metrics' AS s) r");
  }

  private static long edgeMeasurements(Connection c) throws SQLException {
    return Sql.count(
        c,
        "SELECT coalesce(sum(measurement_count), 0) FROM " + VIEW + " WHERE metric_name = 'edge'");
  }

  /**
   * Runs {@code first}, refreshes the table and the view as refresh_performance_views() does, then
   * compares both with the V13 query, all in one transaction (one CURRENT_TIMESTAMP). A row count
   * of -1 is not checked. (refresh_performance_views() itself would add its duration metric after
   * the refresh, which the V13 query run next would count.)
   */
  private static void assertEqualToFullQuery(Connection c, String v13, long rows, String... first)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      // V28's window is 168 hours; V13's 7 days are as many in UTC (README, deviations).
      Sql.exec(c, "SET LOCAL TimeZone = 'UTC'");
      Sql.exec(c, first);
      Sql.exec(
          c,
          "SELECT refresh_system_metrics_hourly_store()",
          "REFRESH MATERIALIZED VIEW CONCURRENTLY " + VIEW);
      for (String relation : new String[] {STORE, VIEW}) {
        assertThat(
                Sql.count(
                    c,
                    "SELECT count(*) FROM (SELECT * FROM "
                        + relation
                        + " EXCEPT ALL ("
                        + v13
                        + ")) x"))
            .as("%s rows the V13 query does not give", relation)
            .isZero();
        assertThat(
                Sql.count(
                    c,
                    "SELECT count(*) FROM (("
                        + v13
                        + ") EXCEPT ALL SELECT * FROM "
                        + relation
                        + ") x"))
            .as("%s rows missing", relation)
            .isZero();
        assertThat(Sql.count(c, "SELECT count(*) FROM " + relation)).isPositive();
        if (rows >= 0) {
          assertThat(Sql.count(c, "SELECT count(*) FROM " + relation)).isEqualTo(rows);
        }
      }
      c.commit();
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Three organizations and the database-wide metrics (organization NULL), two metrics each: three
   * measurements in every fifth hour over 8 days back from the current hour (so some before the
   * window), the current hour included.
   */
  private static void data(Connection c) throws SQLException {
    Sql.exec(
        c,
        "INSERT INTO organizations (id, name) SELECT md5('o' || o)::uuid, 'o' || o"
            + " FROM generate_series(1, 3) o ON CONFLICT (id) DO NOTHING",
        "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit,"
            + " timestamp) SELECT CASE WHEN o = 0 THEN NULL ELSE md5('o' || o)::uuid END,"
            + " m.name, m.type, 105 * ((h * 7 + k * 3 + o) % 11), 'ms', "
            + HOUR
            + " - make_interval(hours => h) + make_interval(mins => k * 7)"
            + " FROM generate_series(0, 3) o, (VALUES ('cpu', 'gauge'), ('latency', 'timer'))"
            + " m(name, type), generate_series(0, 24 * 8, 5) h, generate_series(1, 3) k");
  }
}
