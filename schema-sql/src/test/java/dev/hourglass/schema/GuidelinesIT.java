package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ADA;
import static dev.hourglass.schema.Fixtures.ORG_A;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database guidelines: query cache, slow-query log, audit log, maintenance procedures. */
@HourglassIT
class GuidelinesIT {

  @Test
  void shouldServeCachedValueUntilExpiryAndCleanUpExpiredEntries(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(
          c,
          "SELECT query_cache_put('fresh', '{\"n\": 1}', interval '1 hour')",
          "INSERT INTO query_cache (cache_key, cache_value, created_at, expires_at) VALUES"
              + " ('stale', '{\"n\": 2}', now() - interval '2 hours', now() - interval '1 hour'),"
              + " ('staler', '{\"n\": 3}', now() - interval '3 hours', now() - interval '2 hours')");

      assertThat(Sql.value(c, "SELECT query_cache_get('fresh')::text")).isEqualTo("{\"n\": 1}");
      assertThat(Sql.value(c, "SELECT query_cache_get('stale')")).isNull();
      assertThat(Sql.value(c, "SELECT cleanup_query_cache()")).isEqualTo(2);
      assertThat(Sql.tuples(c, "SELECT cache_key FROM query_cache"))
          .containsExactly(List.of("fresh"));

      Sql.exec(c, "SELECT query_cache_put('fresh', '{\"n\": 4}', interval '1 hour')");
      assertThat(Sql.value(c, "SELECT query_cache_get('fresh')::text")).isEqualTo("{\"n\": 4}");
    }
  }

  @Test
  void shouldAuditChangesToTenantConfigurationWithLoginAndApplicationUser(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole writer = new LoginRole(db, "hourglass_writer");
        Connection c = writer.connect()) {
      Fixtures.tenants(admin);
      Sql.exec(admin, "TRUNCATE audit_log");
      Sql.exec(
          c,
          "SET hourglass.user_id = '" + ADA + "'",
          "UPDATE users SET name = 'Ada L.' WHERE id = '" + ADA + "'",
          // The sink advancing last_used_at is not a configuration change.
          "UPDATE codegen_agents SET last_used_at = now()",
          "UPDATE codegen_agents SET is_active = false WHERE name = 'beta'");

      assertThat(
              Sql.rows(
                  admin,
                  "SELECT table_name, operation, organization_id::text AS org,"
                      + " old_data ->> 'name' AS old_name, new_data ->> 'name' AS new_name,"
                      + " user_id::text AS user_id, db_user"
                      + " FROM audit_log ORDER BY table_name"))
          .containsExactly(
              Map.of(
                  "table_name", "codegen_agents",
                  "operation", "UPDATE",
                  "org", ORG_A,
                  "old_name", "beta",
                  "new_name", "beta",
                  "user_id", ADA,
                  "db_user", writer.name),
              Map.of(
                  "table_name", "users",
                  "operation", "UPDATE",
                  "org", ORG_A,
                  "old_name", "Ada",
                  "new_name", "Ada L.",
                  "user_id", ADA,
                  "db_user", writer.name));
    }
  }

  @Test
  void shouldRecordInsertsWithoutApplicationUserWhenSettingIsMalformed(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(
          c,
          "SET hourglass.user_id = 'not-a-uuid'",
          "INSERT INTO organizations (id, name) VALUES ('" + ORG_A + "', 'A')");
      assertThat(
              Sql.tuples(
                  c, "SELECT table_name, operation, new_data ->> 'name', user_id FROM audit_log"))
          .containsExactly(java.util.Arrays.asList("organizations", "INSERT", "A", null));
    }
  }

  @Test
  void shouldCaptureStatementsSlowerThanThresholdIntoSlowQueryLog(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Sql.exec(c, "SELECT pg_stat_statements_reset()", "SELECT pg_sleep(0.2)");

      assertThat(Sql.value(c, "SELECT capture_slow_queries(150)")).isEqualTo(1);
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT query_text, calls, execution_time >= interval '200 milliseconds'"
                      + " FROM slow_query_log"))
          .containsExactly(List.of("SELECT pg_sleep($1)", 1L, true));
    }
  }

  @Test
  void shouldRefreshStatisticsOfOurTables(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          "INSERT INTO knowledge_base (organization_id, title, content)"
              + " SELECT '"
              + ORG_A
              + "', 't' || g, 'c' FROM generate_series(1, 250) g",
          "CALL update_statistics()");

      assertThat(
              Sql.value(c, "SELECT reltuples::int FROM pg_class WHERE relname = 'knowledge_base'"))
          .isEqualTo(250);
      assertThat(
              Sql.value(c, "SELECT reltuples::int FROM pg_class WHERE relname = 'codegen_agents'"))
          .isEqualTo(4);
    }
  }

  @Test
  void shouldRebuildIndexLeftInvalidByFailedConcurrentBuild(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      Fixtures.tenants(c);
      Sql.exec(
          c,
          "INSERT INTO knowledge_base (organization_id, title, content) VALUES ('"
              + ORG_A
              + "', 'same', 'x'), ('"
              + ORG_A
              + "', 'same', 'y')");
      try {
        Sql.exec(
            c, "CREATE UNIQUE INDEX CONCURRENTLY idx_kb_title_unique ON knowledge_base (title)");
      } catch (SQLException expected) {
        // The duplicate titles fail the build and leave the index INVALID.
      }
      assertThat(indexValid(c)).isFalse();
      Sql.exec(c, "DELETE FROM knowledge_base WHERE content = 'y'", "CALL maintain_indexes()");

      assertThat(indexValid(c)).isTrue();
    }
  }

  @Test
  void shouldShowTableAccessCountersInPerformanceMetricsView(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT schemaname, relname FROM performance_metrics"
                      + " WHERE relname IN ('tasks', 'alerts') ORDER BY relname"))
          .containsExactly(List.of("public", "alerts"), List.of("public", "tasks"));
    }
  }

  private static boolean indexValid(Connection c) throws SQLException {
    return (Boolean)
        Sql.value(
            c,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_kb_title_unique'::regclass");
  }
}
