package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.schema.Sql;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real PgBouncer (Debian's package) in transaction mode in front of the embedded PostgreSQL:
 * tenants set per transaction stay apart on a shared server connection, and the pooled query
 * benchmark goes through it end to end.
 */
@HourglassIT
class PgBouncerIT {
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  private static QueryBenchmark.Options dataSet(TestDatabase db, int orgs) {
    return new QueryBenchmark.Options(
        db.jdbcUrl(), db.user(), db.password(), orgs, 1, 20, Duration.ofMillis(200), List.of(1));
  }

  private static Connection session(PgBouncer bouncer, String login, String password)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", login);
    p.setProperty("password", password);
    Connection c = DriverManager.getConnection(bouncer.jdbcUrl(), p);
    c.setAutoCommit(false);
    return c;
  }

  /** One transaction: the tenant (unless null), then the rollup rows it sees, per organization. */
  private static List<List<Object>> transaction(Connection c, String tenant) throws SQLException {
    if (tenant != null) {
      Sql.value(c, "SELECT set_config('hourglass.organization_id', ?, true)", tenant);
    }
    List<List<Object>> seen =
        Sql.tuples(
            c,
            "SELECT organization_id::text, count(*) FROM task_rollups_hourly GROUP BY 1 ORDER BY 1");
    c.commit();
    return seen;
  }

  private static Object serverPid(Connection c) throws SQLException {
    Object pid = Sql.value(c, "SELECT pg_backend_pid()");
    c.commit();
    return pid;
  }

  @Test
  void shouldKeepTwoTenantsApartOnOneSharedServerConnection(TestDatabase db)
      throws SQLException, IOException {
    Sql.migrate(db);
    QueryBenchmark.load(dataSet(db, 2), QUIET);
    String a = QueryBenchmark.organization(0);
    String b = QueryBenchmark.organization(1);
    String login = "pooled_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String password = UUID.randomUUID().toString();
    String secret;
    try (Connection owner = db.connect()) {
      Sql.exec(
          owner,
          "CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "' IN ROLE hourglass_analyst");
      Sql.tuples(
          owner,
          "INSERT INTO tenant_grants (login, organization_id) VALUES (?, ?::uuid), (?, ?::uuid)"
              + " RETURNING 1",
          login,
          a,
          login,
          b);
      secret =
          (String) Sql.value(owner, "SELECT rolpassword FROM pg_authid WHERE rolname = ?", login);
    }

    // One server connection for both sessions: every transaction below runs on it.
    try (PgBouncer bouncer = PgBouncer.start(db.jdbcUrl(), login, secret, 1, 10);
        Connection first = session(bouncer, login, password);
        Connection second = session(bouncer, login, password)) {
      assertThat(serverPid(second)).isEqualTo(serverPid(first));

      assertThat(transaction(first, a)).containsExactly(List.of(a, 24L));
      assertThat(transaction(second, b)).containsExactly(List.of(b, 24L));
      // The server connection that just served B hands nothing on: no tenant, no rows.
      assertThat(transaction(first, null)).isEmpty();
      assertThat(transaction(second, a)).containsExactly(List.of(a, 24L));
      assertThat(transaction(second, null)).isEmpty();
      assertThat(transaction(first, b)).containsExactly(List.of(b, 24L));
      assertThat(serverPid(first)).isEqualTo(serverPid(second));
    } finally {
      try (Connection owner = db.connect()) {
        Sql.exec(owner, "DELETE FROM tenant_grants WHERE login = '" + login + "'");
        Sql.exec(owner, "DROP ROLE " + login);
      }
    }
  }

  @Test
  void shouldRunEveryQueryThroughPgBouncerAsOneTransactionPerCall(TestDatabase db) {
    Sql.migrate(db);
    QueryBenchmark.Options base = dataSet(db, 3);
    QueryBenchmark.load(base, QUIET);

    PooledQueryBenchmark.Outcome outcome =
        PooledQueryBenchmark.run(
            new PooledQueryBenchmark.Options(base, List.of(2, 3), 2, 4, Duration.ZERO), QUIET);

    List<QueryBenchmark.QueryStats> stats = outcome.result().stats();
    assertThat(stats).hasSize(QueryBenchmark.QUERIES.size() * 2);
    assertThat(stats.get(0).query())
        .isEqualTo("reference: SELECT 1 (same connection, same setting)");
    assertThat(stats).extracting(QueryBenchmark.QueryStats::clients).startsWith(2, 3, 2, 3);
    for (QueryBenchmark.QueryStats s : stats) {
      assertThat(s.calls()).as(s.query()).isEqualTo(s.clients() * 4L);
      assertThat(s.distribution().stream().mapToLong(QueryBenchmark.Point::count).sum())
          .as(s.query())
          .isEqualTo(s.calls());
    }
    // Nine queries x (2 + 3) sessions x 4 calls, each one transaction that set its tenant, on
    // at most the pool's 2 server connections for 3 sessions.
    assertThat(outcome.calls()).isEqualTo(9 * 5 * 4);
    assertThat(outcome.serverTransactions()).isEqualTo(9 * 5 * 4);
    assertThat(outcome.serverConnections()).isBetween(1L, 2L);
    assertThat(outcome.rates())
        .extracting(PooledQueryBenchmark.Rate::offeredPerSecond)
        .containsOnly(-1.0);
  }

  @Test
  void shouldPauseEachSessionBetweenCallsAndReportTheOfferedRate(TestDatabase db) {
    Sql.migrate(db);
    QueryBenchmark.Options base = dataSet(db, 3);
    QueryBenchmark.load(base, QUIET);

    // 3 sessions thinking 20 ms on average offer 150 calls/s; 2 sessions, 100.
    PooledQueryBenchmark.Outcome outcome =
        PooledQueryBenchmark.run(
            new PooledQueryBenchmark.Options(base, List.of(2, 3), 2, 3, Duration.ofMillis(20)),
            QUIET);

    List<QueryBenchmark.QueryStats> stats = outcome.result().stats();
    for (QueryBenchmark.QueryStats s : stats) {
      assertThat(s.calls()).as(s.query()).isEqualTo(s.clients() * 3L);
    }
    assertThat(outcome.calls()).isEqualTo(9 * 5 * 3);
    assertThat(outcome.serverTransactions()).isEqualTo(9 * 5 * 3);
    assertThat(outcome.rates()).hasSize(stats.size());
    for (int i = 0; i < stats.size(); i++) {
      PooledQueryBenchmark.Rate r = outcome.rates().get(i);
      assertThat(r.query()).isEqualTo(stats.get(i).query());
      assertThat(r.sessions()).isEqualTo(stats.get(i).clients());
      assertThat(r.thinkTimeSeconds()).isEqualTo(0.02);
      assertThat(r.offeredPerSecond()).isEqualTo(r.sessions() == 2 ? 100.0 : 150.0);
      assertThat(r.achievedPerSecond()).isPositive();
    }
  }

  @Test
  void shouldDropThePooledLoginAndItsGrantsAfterTheRun(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    QueryBenchmark.Options base = dataSet(db, 1);
    QueryBenchmark.load(base, QUIET);

    PooledQueryBenchmark.run(
        new PooledQueryBenchmark.Options(base, List.of(1), 1, 1, Duration.ZERO), QUIET);

    try (Connection c = db.connect()) {
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = ?) AS roles,"
                      + " (SELECT count(*) FROM tenant_grants WHERE login = ?) AS grants",
                  PooledQueryBenchmark.LOGIN,
                  PooledQueryBenchmark.LOGIN))
          .containsExactly(List.of(0L, 0L));
    }
  }
}
