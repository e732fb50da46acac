package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ADA;
import static dev.hourglass.schema.Fixtures.AGENT_B;
import static dev.hourglass.schema.Fixtures.ALPHA;
import static dev.hourglass.schema.Fixtures.BOB;
import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static dev.hourglass.schema.Fixtures.PROJECT_A1;
import static dev.hourglass.schema.Fixtures.PROJECT_B1;
import static dev.hourglass.schema.Fixtures.hour;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

@HourglassIT
class SecurityIT {
  /** Every table and view an analyst may read, with its organization column. */
  private static final Map<String, String> TENANT_RELATIONS = tenantRelations();

  private static Map<String, String> tenantRelations() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("organizations", "id");
    for (String t :
        List.of(
            "users",
            "projects",
            "repositories",
            "tasks",
            "task_executions",
            "codegen_agents",
            "agent_tasks",
            "pipeline_executions",
            "integration_events",
            "system_metrics",
            "learning_patterns",
            "knowledge_base",
            "task_rollups_hourly",
            "agent_rollups_hourly",
            "integration_rollups_hourly",
            "task_rollups_daily",
            "agent_rollups_daily",
            "integration_rollups_daily",
            "alerts",
            "daily_task_summary",
            "agent_performance_summary",
            "system_metrics_hourly")) {
      m.put(t, "organization_id");
    }
    return m;
  }

  @Test
  void shouldHideOtherOrganizationsRowsFromAnalyst(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        Connection c = analyst.connect()) {
      bothTenantsEverywhere(admin);
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");

      for (var e : TENANT_RELATIONS.entrySet()) {
        String where = " WHERE " + e.getValue() + " = ?::uuid";
        String sql = "SELECT count(*) FROM " + e.getKey() + where;
        // The superuser reads the materialized views themselves; the analyst, their views.
        String truth =
            "SELECT count(*) FROM "
                + (e.getKey().endsWith("_summary")
                        || e.getKey().endsWith("_hourly") && !e.getKey().endsWith("rollups_hourly")
                    ? "mv_" + e.getKey()
                    : e.getKey())
                + where;
        long rowsOfA = Sql.count(admin, truth, ORG_A);
        assertThat(rowsOfA).as("rows of A in %s", e.getKey()).isPositive();
        assertThat(Sql.count(admin, truth, ORG_B)).as("rows of B in %s", e.getKey()).isPositive();
        assertThat(Sql.count(c, sql, ORG_B)).as("rows of B seen in %s", e.getKey()).isZero();
        assertThat(Sql.count(c, sql, ORG_A))
            .as("rows of A seen in %s", e.getKey())
            .isEqualTo(rowsOfA);
        assertThat(Sql.count(c, "SELECT count(*) FROM " + e.getKey()))
            .as("all rows seen in %s", e.getKey())
            .isEqualTo(rowsOfA);
      }
      assertThat(Sql.count(c, "SELECT count(*) FROM get_agent_performance_metrics(?::uuid)", ORG_B))
          .isZero();
      assertThat(
              Sql.value(
                  c,
                  "SELECT get_organization_analytics(?::uuid, CURRENT_DATE - 2, CURRENT_DATE)"
                      + " -> 'summary' ->> 'total_tasks'",
                  ORG_B))
          .isEqualTo("0");
      assertThat(
              Sql.value(
                  c,
                  "SELECT get_organization_analytics(?::uuid, CURRENT_DATE - 2, CURRENT_DATE)"
                      + " -> 'summary' ->> 'total_tasks'",
                  ORG_A))
          .isEqualTo("3");
    }
  }

  @Test
  void shouldShowNothingToAnalystWithoutOrganizationSetting(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        Connection c = analyst.connect()) {
      bothTenantsEverywhere(admin);
      for (String relation : TENANT_RELATIONS.keySet()) {
        assertThat(Sql.count(c, "SELECT count(*) FROM " + relation)).as(relation).isZero();
      }
    }
  }

  @Test
  void shouldRefuseAnalystWritesAndOperationalTables(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        Connection c = analyst.connect()) {
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");
      for (String sql :
          List.of(
              "INSERT INTO organizations (id, name) VALUES ('" + ORG_A + "', 'A')",
              "UPDATE task_rollups_hourly SET event_count = 0",
              "DELETE FROM alerts",
              "SELECT count(*) FROM dead_letters",
              "SELECT count(*) FROM sink_offsets",
              "SELECT count(*) FROM audit_log",
              "SELECT count(*) FROM mv_daily_task_summary",
              "SELECT refresh_performance_views()",
              "SELECT create_monthly_partition('task_rollups_hourly', CURRENT_DATE)")) {
        assertThatThrownBy(() -> Sql.exec(c, sql))
            .as(sql)
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      }
    }
  }

  @Test
  void shouldForbidWriterToCreateOrDropAnything(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole writer = new LoginRole(db, "hourglass_writer");
        Connection c = writer.connect()) {
      long objectsBefore = objectCount(admin);
      for (String sql :
          List.of(
              "CREATE TABLE intruder (id int)",
              "CREATE TEMP TABLE intruder (id int)",
              "CREATE VIEW intruder AS SELECT 1",
              "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
              "CREATE SEQUENCE intruder",
              "CREATE SCHEMA intruder",
              "CREATE INDEX intruder ON tasks (title)",
              "CREATE TABLE task_rollups_hourly_p209901 PARTITION OF task_rollups_hourly"
                  + " FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')",
              "DROP TABLE tasks",
              "DROP TABLE task_rollups_hourly_p" + currentMonth(admin),
              "DROP MATERIALIZED VIEW mv_daily_task_summary",
              "DROP FUNCTION get_system_health()",
              "ALTER TABLE tasks ADD COLUMN intruder int",
              "ALTER TABLE alerts DISABLE ROW LEVEL SECURITY",
              "TRUNCATE sink_offsets",
              "DELETE FROM dead_letters",
              // Refreshing the views and ensure_partitions are the maintainer's (V20), of which
              // the writer is a member so that any sink may run the scheduled maintenance; a
              // retention of the caller's choosing is not.
              "SELECT drop_partitions_older_than(interval '1 day')",
              "CALL maintain_partitions()",
              "CALL maintain_indexes()")) {
        assertThatThrownBy(() -> Sql.exec(c, sql))
            .as(sql)
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      }
      assertThat(objectCount(admin)).isEqualTo(objectsBefore);
    }
  }

  @Test
  void shouldLetWriterWriteItsTablesForEveryOrganization(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole writer = new LoginRole(db, "hourglass_writer");
        Connection c = writer.connect()) {
      String month = currentMonth(admin);
      Sql.exec(
          c,
          "INSERT INTO organizations (id, name) VALUES ('"
              + ORG_A
              + "', 'A'), ('"
              + ORG_B
              + "', 'B')"
              + " ON CONFLICT (id) DO NOTHING",
          "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
              + " event_count) SELECT o, '"
              + PROJECT_A1
              + "', w, w + interval '1 hour', 1 FROM (VALUES ('"
              + ORG_A
              + "'::uuid), ('"
              + ORG_B
              + "'::uuid)) v(o), (SELECT "
              + hour(1)
              + " AS w) s",
          "UPDATE task_rollups_hourly SET event_count = event_count + 1, revision = revision + 1",
          "INSERT INTO dead_letters (source_topic, source_partition, source_offset, reason_code,"
              + " message, received_at) VALUES ('hourglass.task-events', 0, 7, 'TRUNCATED', 'm',"
              + " now())",
          "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) VALUES"
              + " ('sink', 'hourglass.rollups', 0, 8) ON CONFLICT (consumer_group, topic, partition)"
              + " DO UPDATE SET next_offset = excluded.next_offset");
      assertThat(Sql.count(c, "SELECT sum(event_count) FROM task_rollups_hourly")).isEqualTo(4);
      assertThat(Sql.count(c, "SELECT count(*) FROM dead_letters")).isEqualTo(1);
      assertThat(
              Sql.value(
                  c, "SELECT create_monthly_partition('integration_events', DATE '2099-03-10')"))
          .isEqualTo("integration_events_p209903");
    }
  }

  @Test
  void shouldGiveEveryObjectToOwnerRole(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                      + " AND c.relname NOT LIKE 'flyway_schema_history%'"
                      + " AND pg_get_userbyid(c.relowner) <> 'hourglass_owner'"))
          .isEmpty();
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT p.oid::regprocedure::text FROM pg_proc p"
                      + " JOIN pg_namespace n ON n.oid = p.pronamespace"
                      + " WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> 'hourglass_owner'"
                      + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid"
                      + " AND d.deptype = 'e')"))
          .isEmpty();
      assertThat(
              Sql.count(
                  c,
                  "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                      + " AND relkind IN ('r', 'p') AND relrowsecurity AND relforcerowsecurity"))
          .isEqualTo(20);
    }
  }

  @Test
  void shouldMigrateSecondDatabaseOfSameServerWithExistingRoles(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    String second = db.name() + "_2";
    try (Connection c = db.connect()) {
      Sql.exec(c, "CREATE DATABASE " + second);
    }
    String url = db.jdbcUrl().substring(0, db.jdbcUrl().lastIndexOf('/') + 1) + second;
    try {
      MigrationResult result = Migrator.forUrl(url, db.user(), db.password()).migrate();
      assertThat(result.applied()).isEqualTo(Migrations.COUNT);
      Properties props = new Properties();
      props.setProperty("user", db.user());
      props.setProperty("password", db.password());
      try (Connection c = DriverManager.getConnection(url, props)) {
        // owner, writer, analyst (V16) and maintainer (V20)
        assertThat(Sql.count(c, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'hourglass\\_%'"))
            .isEqualTo(4);
      }
    } finally {
      try (Connection c = db.connect()) {
        Sql.exec(c, "DROP DATABASE " + second + " WITH (FORCE)");
      }
    }
  }

  private static String currentMonth(Connection c) throws SQLException {
    return (String) Sql.value(c, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')");
  }

  private static long objectCount(Connection c) throws SQLException {
    return Sql.count(
        c,
        "SELECT (SELECT count(*) FROM pg_class) + (SELECT count(*) FROM pg_proc)"
            + " + (SELECT count(*) FROM pg_namespace)");
  }

  /** One row of each organization in every tenant table, and the views refreshed. */
  static void bothTenantsEverywhere(Connection c) throws SQLException {
    Fixtures.tenants(c);
    for (String[] t :
        List.of(
            new String[] {ORG_A, PROJECT_A1, ADA, ALPHA, "1"},
            new String[] {ORG_B, PROJECT_B1, BOB, AGENT_B, "2"})) {
      String org = "'" + t[0] + "'";
      String project = "'" + t[1] + "'";
      String n = t[4];
      String task = "'00000000-0000-0000-0000-00000000010" + n + "'";
      Sql.exec(
          c,
          "INSERT INTO repositories (organization_id, project_id, name) VALUES ("
              + org
              + ", "
              + project
              + ", 'repo')",
          "INSERT INTO tasks (id, organization_id, project_id, title, assigned_to, created_at)"
              + " VALUES ("
              + task
              + ", "
              + org
              + ", "
              + project
              + ", 'task', '"
              + t[2]
              + "', "
              + hour(2)
              + ")",
          "INSERT INTO task_executions (organization_id, task_id, status, started_at) VALUES ("
              + org
              + ", "
              + task
              + ", 'running', now())",
          "INSERT INTO agent_tasks (organization_id, agent_id, status) VALUES ("
              + org
              + ", '"
              + t[3]
              + "', 'running')",
          "INSERT INTO pipeline_executions (organization_id, pipeline_name) VALUES ("
              + org
              + ", 'ci')",
          "INSERT INTO integration_events (organization_id, integration_type, event_type) VALUES ("
              + org
              + ", 'github', 'push')",
          "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value) VALUES ("
              + org
              + ", 'cpu', 'gauge', 1)",
          "INSERT INTO learning_patterns (organization_id, pattern_type) VALUES (" + org + ", 'p')",
          "INSERT INTO knowledge_base (organization_id, title, content) VALUES ("
              + org
              + ", 't', 'c')",
          "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
              + " event_count, created_count) SELECT "
              + org
              + ", "
              + project
              + ", w, w + interval '1 hour', 3, 3 FROM (SELECT "
              + hour(1)
              + " AS w) s",
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, event_count, started_count) SELECT "
              + org
              + ", '"
              + t[3]
              + "', 'codegen', w, w + interval '1 hour', 1, 1 FROM (SELECT "
              + hour(1)
              + " AS w) s",
          "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
              + " window_start, window_end, event_count) SELECT "
              + org
              + ", 'github', w, w + interval '1 hour', 1 FROM (SELECT "
              + hour(1)
              + " AS w) s",
          "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
              + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
              + " message) SELECT gen_random_uuid(), 'r', 'WARNING', 'FIRING', "
              + org
              + ", 'project', 'k', w, w + interval '1 hour', 1, 0.5, now(), 'm' FROM (SELECT "
              + hour(1)
              + " AS w) s",
          // Another key that fired and resolved, so that every alert-history function (firing
          // now, time to resolve, flapping keys) has rows of each tenant.
          "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
              + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
              + " resolved_at, message) SELECT gen_random_uuid(), 'r', 'WARNING', s.state, "
              + org
              + ", 'project', 'k2', w, w + interval '1 hour', 0.1, 0.5, now(),"
              + " CASE WHEN s.state = 'RESOLVED' THEN now() + interval '1 hour' END, 'm'"
              + " FROM (SELECT "
              + hour(1)
              + " AS w) h, (VALUES ('FIRING'), ('RESOLVED')) AS s(state)");
    }
    Sql.value(c, "SELECT refresh_performance_views()");
  }
}
