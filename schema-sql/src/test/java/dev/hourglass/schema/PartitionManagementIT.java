package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.PROJECT_A1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@HourglassIT
class PartitionManagementIT {
  private static final List<String> TABLES =
      List.of(
          "agent_rollups_hourly",
          "integration_events",
          "integration_rollups_hourly",
          "system_metrics",
          "task_rollups_hourly");
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

  @Test
  void shouldCreatePartitionsFromThreeMonthsBackToThreeAheadWhenMigrated(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      LocalDate month = currentMonth(c);
      List<String> expected = new ArrayList<>();
      for (String t : TABLES) {
        for (int m = -3; m <= 3; m++) {
          expected.add(t + "_p" + month.plusMonths(m).format(MONTH));
        }
      }
      assertThat(partitions(c)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void shouldCreateMonthlyPartitionOnceAndRouteRowsIntoIt(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      LocalDate far = currentMonth(c).plusMonths(10);
      String name = "task_rollups_hourly_p" + far.format(MONTH);

      assertThat(
              Sql.value(
                  c,
                  "SELECT create_monthly_partition('task_rollups_hourly', ?)",
                  java.sql.Date.valueOf(far.plusDays(17))))
          .isEqualTo(name);
      assertThat(
              Sql.value(
                  c,
                  "SELECT create_monthly_partition('task_rollups_hourly', ?)",
                  java.sql.Date.valueOf(far)))
          .isEqualTo(name);
      Sql.exec(
          c,
          "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end)"
              + " VALUES ('"
              + ORG_A
              + "', '"
              + PROJECT_A1
              + "', '"
              + far
              + " 00:00Z', '"
              + far
              + " 01:00Z')");

      assertThat(Sql.count(c, "SELECT count(*) FROM " + name)).isEqualTo(1);
      // Bounds are UTC midnights, whatever the session's time zone.
      assertThat(
              Sql.value(
                  c, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = ?", name))
          .isEqualTo(
              "FOR VALUES FROM ('"
                  + far
                  + " 00:00:00+00') TO ('"
                  + far.plusMonths(1)
                  + " 00:00:00+00')");
    }
  }

  @Test
  void shouldReturnThePartitionToBothOfTwoSessionsCreatingItAtOnce(TestDatabase db)
      throws Exception {
    Sql.migrate(db);
    try (Connection first = db.connect();
        Connection second = db.connect()) {
      LocalDate far = currentMonth(first).plusMonths(12);
      String name = "integration_events_p" + far.format(MONTH);
      String create = "SELECT create_monthly_partition('integration_events', ?)";
      first.setAutoCommit(false);
      // The first session creates the partition and holds the function's lock until it commits.
      assertThat(Sql.value(first, create, java.sql.Date.valueOf(far))).isEqualTo(name);
      int secondPid = ((Number) Sql.value(second, "SELECT pg_backend_pid()")).intValue();
      // The second looks the partition up (absent: not committed yet), then waits for the lock.
      CompletableFuture<Object> created =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Sql.value(second, create, java.sql.Date.valueOf(far));
                } catch (SQLException e) {
                  throw new CompletionException(e);
                }
              });
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "advisory"
                      .equals(
                          Sql.value(
                              first,
                              "SELECT wait_event FROM pg_stat_activity WHERE pid = ?",
                              secondPid)));
      first.commit();

      assertThat(created.get(30, TimeUnit.SECONDS)).isEqualTo(name);
      assertThat(Sql.count(first, "SELECT count(*) FROM pg_class WHERE relname = ?", name))
          .isEqualTo(1);
    }
  }

  @Test
  void shouldRejectRowForMonthWithoutPartition(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      LocalDate far = currentMonth(c).plusMonths(20);
      assertThatThrownBy(
              () ->
                  Sql.exec(
                      c,
                      "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
                          + " window_start, window_end) VALUES ('"
                          + ORG_A
                          + "', 'github', '"
                          + far
                          + " 00:00Z', '"
                          + far
                          + " 01:00Z')"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"))
          .hasMessageContaining("no partition of relation \"integration_rollups_hourly\" found");
    }
  }

  @Test
  void shouldRefuseToPartitionTablesNotListed(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThatThrownBy(
              () -> Sql.value(c, "SELECT create_monthly_partition('users', DATE '2026-01-01')"))
          .hasMessageContaining(
              "Invalid value users for parent_table: not a table partitioned by month");
    }
  }

  @Test
  void shouldCreateCurrentMonthAndMonthsAheadForEveryTable(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      LocalDate month = currentMonth(c);
      List<Object> created = new ArrayList<>();
      for (var row : Sql.rows(c, "SELECT p FROM ensure_partitions(5) p")) {
        created.add(row.get("p"));
      }
      List<String> expected = new ArrayList<>();
      for (String t : TABLES) {
        for (int m = 0; m <= 5; m++) {
          expected.add(t + "_p" + month.plusMonths(m).format(MONTH));
        }
      }
      assertThat(created).containsExactlyElementsOf(expected);
      assertThat(partitions(c)).hasSize(TABLES.size() * 9);
    }
  }

  @Test
  void shouldDropPartitionsPastRetentionAndKeepTheRest(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      LocalDate month = currentMonth(c);
      // Rows in the month three back (to be dropped) and in the current month (kept).
      for (LocalDate m : List.of(month.minusMonths(3), month)) {
        Sql.exec(
            c,
            "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start,"
                + " window_end) VALUES ('"
                + ORG_A
                + "', '"
                + PROJECT_A1
                + "', '"
                + m
                + " 05:00Z', '"
                + m
                + " 06:00Z')");
      }

      List<Object> dropped = new ArrayList<>();
      for (var row :
          Sql.rows(c, "SELECT p FROM drop_partitions_older_than(interval '1 month') p")) {
        dropped.add(row.get("p"));
      }

      // A partition goes once its whole month ended before now() - 1 month: months -3 and -2.
      List<String> expected = new ArrayList<>();
      for (String t : TABLES) {
        expected.add(t + "_p" + month.minusMonths(3).format(MONTH));
        expected.add(t + "_p" + month.minusMonths(2).format(MONTH));
      }
      assertThat(dropped).containsExactlyElementsOf(expected);
      assertThat(partitions(c)).hasSize(TABLES.size() * 5).doesNotContainAnyElementsOf(expected);
      assertThat(Sql.count(c, "SELECT count(*) FROM task_rollups_hourly")).isEqualTo(1);
      // Per-table retention (the default): 3 months for system_metrics, longer elsewhere.
      List<Object> byDefault = new ArrayList<>();
      for (var row : Sql.rows(c, "SELECT p FROM drop_partitions_older_than() p")) {
        byDefault.add(row.get("p"));
      }
      assertThat(byDefault).isEmpty();
    }
  }

  private static LocalDate currentMonth(Connection c) throws SQLException {
    return ((java.sql.Date)
            Sql.value(c, "SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date"))
        .toLocalDate();
  }

  private static List<String> partitions(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    for (var row :
        Sql.rows(
            c,
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE c.relkind = 'r' ORDER BY c.relname")) {
      out.add((String) row.get("relname"));
    }
    return out;
  }
}
