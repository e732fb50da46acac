package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.schema.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

@HourglassIT
class RollupWatchIT {
  private static final String ORG_A = "00000000-0000-0000-0000-00000000000a";
  private static final String ORG_B = "00000000-0000-0000-0000-00000000000b";
  private static final String PROJECT_A1 = "00000000-0000-0000-0000-0000000000a1";
  private static final String PROJECT_B1 = "00000000-0000-0000-0000-0000000000b1";
  private static final String ALPHA = "00000000-0000-0000-0000-0000000000c1";

  @Test
  void shouldReturnEveryRollupRowFromTheGivenHourOn(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      insertRows(c);
      Instant oneHourAgo = instant(c, 1);
      Instant current = instant(c, 0);

      try (RollupWatch watch = RollupWatch.connect(db.jdbcUrl(), db.user(), db.password())) {
        assertThat(watch.currentWindows(oneHourAgo))
            .containsExactlyInAnyOrder(
                new RollupWatch.RollupCount("task_rollups_hourly", ORG_A, PROJECT_A1, current, 7),
                new RollupWatch.RollupCount(
                    "task_rollups_hourly", ORG_B, PROJECT_B1, oneHourAgo, 3),
                new RollupWatch.RollupCount("agent_rollups_hourly", ORG_A, ALPHA, current, 5),
                new RollupWatch.RollupCount(
                    "integration_rollups_hourly", ORG_B, "github", oneHourAgo, 11));
        assertThat(watch.currentWindows(current))
            .containsExactlyInAnyOrder(
                new RollupWatch.RollupCount("task_rollups_hourly", ORG_A, PROJECT_A1, current, 7),
                new RollupWatch.RollupCount("agent_rollups_hourly", ORG_A, ALPHA, current, 5));
      }
    }
  }

  @Test
  void shouldReadTaskRowsAloneAndSumEveryTablesEvents(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      insertRows(c);
      Instant oneHourAgo = instant(c, 1);
      Instant current = instant(c, 0);

      try (RollupWatch watch = RollupWatch.connect(db.jdbcUrl(), db.user(), db.password())) {
        assertThat(watch.taskWindows(oneHourAgo))
            .containsExactlyInAnyOrder(
                new RollupWatch.RollupCount("task_rollups_hourly", ORG_A, PROJECT_A1, current, 7),
                new RollupWatch.RollupCount(
                    "task_rollups_hourly", ORG_B, PROJECT_B1, oneHourAgo, 3));
        assertThat(watch.eventsSince(oneHourAgo)).isEqualTo(7 + 3 + 5 + 11);
        assertThat(watch.eventsSince(current)).isEqualTo(7 + 5);
      }
    }
  }

  @Test
  void shouldSeeCountsWrittenBetweenCalls(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect();
        RollupWatch watch = RollupWatch.connect(db.jdbcUrl(), db.user(), db.password())) {
      insertRows(c);
      Instant current = instant(c, 0);
      assertThat(watch.currentWindows(current)).hasSize(2);

      Sql.exec(
          c,
          "UPDATE task_rollups_hourly SET event_count = 8 WHERE window_start = " + hour(0),
          "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
              + " window_start, window_end, event_count) SELECT '"
              + ORG_A
              + "', 'jira', w, w + interval '1 hour', 1 FROM (SELECT "
              + hour(0)
              + " AS w) s");

      assertThat(watch.currentWindows(current))
          .containsExactlyInAnyOrder(
              new RollupWatch.RollupCount("task_rollups_hourly", ORG_A, PROJECT_A1, current, 8),
              new RollupWatch.RollupCount("agent_rollups_hourly", ORG_A, ALPHA, current, 5),
              new RollupWatch.RollupCount("integration_rollups_hourly", ORG_A, "jira", current, 1));
    }
  }

  /** Rows in the current hour, one hour ago and five hours ago. */
  @Test
  void shouldReadTheWalTheServerWrote(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect();
        RollupWatch watch = RollupWatch.connect(db.jdbcUrl(), db.user(), db.password())) {
      DatabaseActivity before = watch.databaseActivity();
      assertThat(before).isNotNull();

      insertRows(c);
      // A backend reports its statistics within PostgreSQL's idle flush interval (10 s) unless
      // asked to at its next transaction's end.
      Sql.exec(c, "SELECT pg_stat_force_next_flush()", "SELECT 1");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(watch.databaseActivity().walBytes()).isGreaterThan(before.walBytes()));
      DatabaseActivity after = watch.databaseActivity();
      assertThat(after.checkpointsStarted()).isGreaterThanOrEqualTo(before.checkpointsStarted());
      assertThat(after.vacuumsRunning()).isNotNegative();
    }
  }

  private static void insertRows(Connection c) throws SQLException {
    String task =
        "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
            + " event_count) SELECT '%s', '%s', w, w + interval '1 hour', %d FROM (SELECT %s AS w) s";
    String agent =
        "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
            + " window_end, event_count) SELECT '%s', '%s', 'codegen', w, w + interval '1 hour', %d"
            + " FROM (SELECT %s AS w) s";
    String integration =
        "INSERT INTO integration_rollups_hourly (organization_id, integration_type, window_start,"
            + " window_end, event_count) SELECT '%s', '%s', w, w + interval '1 hour', %d"
            + " FROM (SELECT %s AS w) s";
    Sql.exec(
        c,
        String.format(task, ORG_A, PROJECT_A1, 7, hour(0)),
        String.format(task, ORG_B, PROJECT_B1, 3, hour(1)),
        String.format(task, ORG_A, PROJECT_A1, 40, hour(5)),
        String.format(agent, ORG_A, ALPHA, 5, hour(0)),
        String.format(agent, ORG_A, ALPHA, 9, hour(5)),
        String.format(integration, ORG_B, "github", 11, hour(1)),
        String.format(integration, ORG_B, "github", 2, hour(5)));
  }

  private static Instant instant(Connection c, int hoursAgo) throws SQLException {
    return ((Timestamp) Sql.value(c, "SELECT " + hour(hoursAgo))).toInstant();
  }

  /** The start of the hour {@code hoursAgo} hours before the current one, as SQL. */
  private static String hour(int hoursAgo) {
    return "(date_trunc('hour', now()) - interval '" + hoursAgo + " hours')";
  }
}
