package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static dev.hourglass.schema.Fixtures.PROJECT_B1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Least privilege (V19), proven per role: what each LOGIN member of a group role can do, and a list
 * of what it cannot, each refused with SQLSTATE 42501 (insufficient privilege).
 */
@HourglassIT
class RolePrivilegesIT {
  /** What no role of ours may do. */
  private static final List<String> NOBODY_MAY =
      List.of(
          "SELECT pg_stat_statements_reset()",
          "SELECT count(*) FROM audit_log",
          "CREATE TABLE intruder (id int)",
          "CREATE TEMP TABLE intruder (id int)",
          "CREATE SCHEMA intruder",
          "ALTER TABLE tasks DISABLE ROW LEVEL SECURITY",
          "SET ROLE hourglass_owner");

  @Test
  void shouldLetAnalystReadGrantedTenantAndNothingElse(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        Connection c = analyst.connect()) {
      SecurityIT.bothTenantsEverywhere(admin);
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");
      assertThat(Sql.count(c, "SELECT count(*) FROM task_rollups_hourly")).isEqualTo(1);
      assertThat(Sql.count(c, "SELECT count(*) FROM get_agent_performance_metrics(?::uuid)", ORG_A))
          .isEqualTo(2);
      assertThat(Sql.count(c, "SELECT count(*) FROM daily_task_summary")).isPositive();
      assertRefused(
          c,
          NOBODY_MAY,
          List.of(
              "INSERT INTO tasks (organization_id, project_id, title) VALUES ('"
                  + ORG_B
                  + "', '"
                  + PROJECT_B1
                  + "', 'x')",
              "UPDATE tasks SET title = 'x'",
              "DELETE FROM organizations",
              "UPDATE sink_offsets SET next_offset = 0",
              "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset)"
                  + " VALUES ('g', 't', 0, 0)",
              "SELECT count(*) FROM sink_offsets",
              "SELECT count(*) FROM dead_letters",
              "SELECT count(*) FROM tenant_grants",
              "SELECT count(*) FROM pg_stat_statements",
              "SELECT count(*) FROM mv_daily_task_summary",
              "SELECT count(*) FROM slow_query_log",
              "SELECT count(*) FROM query_cache",
              "SELECT refresh_performance_views()",
              "SELECT get_performance_metrics()",
              "SELECT get_system_health()",
              "SELECT capture_slow_queries(0)",
              "CALL maintain_partitions()",
              "SELECT create_monthly_partition('tasks', CURRENT_DATE)"));
    }
  }

  @Test
  void shouldLetWriterWriteItsTablesAndNothingElse(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (LoginRole writer = new LoginRole(db, "hourglass_writer");
        Connection c = writer.connect()) {
      Sql.exec(
          c,
          "INSERT INTO organizations (id, name) VALUES ('" + ORG_B + "', 'B')",
          "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset)"
              + " VALUES ('g', 't', 0, 5)",
          "UPDATE sink_offsets SET next_offset = 6");
      assertThat(Sql.count(c, "SELECT next_offset FROM sink_offsets")).isEqualTo(6);
      assertRefused(
          c,
          NOBODY_MAY,
          List.of(
              "DELETE FROM sink_offsets",
              // The daily rollups are written by the hourly tables' triggers, as the owner.
              "UPDATE agent_rollups_daily SET hour_rows = 0",
              "INSERT INTO task_rollups_daily (organization_id, project_id, day, hour_rows,"
                  + " created_count, completed_count) VALUES ('"
                  + ORG_B
                  + "', '"
                  + PROJECT_B1
                  + "', CURRENT_DATE, 1, 1, 1)",
              "SELECT count(*) FROM tenant_grants",
              "SELECT count(*) FROM pg_stat_statements",
              "SELECT count(*) FROM slow_query_log",
              "SELECT count(*) FROM system_metrics",
              "SELECT refresh_performance_views()",
              "SELECT capture_slow_queries(0)",
              "CALL update_statistics()"));
    }
  }

  @Test
  void shouldLetMaintainerRunMaintenanceAndReadNoTenantData(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole maintainer = new LoginRole(db, "hourglass_maintainer");
        Connection c = maintainer.connect()) {
      SecurityIT.bothTenantsEverywhere(admin);
      long metrics = Sql.count(admin, "SELECT count(*) FROM system_metrics");
      Sql.value(c, "SELECT refresh_performance_views()");
      Sql.exec(c, "CALL update_statistics()", "CALL maintain_partitions()");
      assertThat(Sql.count(c, "SELECT capture_slow_queries(1e9)")).isZero();
      assertThat(Sql.count(c, "SELECT cleanup_query_cache()")).isZero();
      assertThat(Sql.value(c, "SELECT get_system_health() ->> 'status'")).isEqualTo("healthy");
      assertThat(Sql.count(admin, "SELECT count(*) FROM system_metrics")).isEqualTo(metrics + 1);
      assertRefused(
          c,
          NOBODY_MAY,
          List.of(
              "SELECT count(*) FROM tasks",
              "SELECT count(*) FROM task_rollups_hourly",
              "SELECT count(*) FROM mv_daily_task_summary",
              "SELECT count(*) FROM sink_offsets",
              "SELECT count(*) FROM tenant_grants",
              "UPDATE task_rollups_hourly SET event_count = 0",
              "DELETE FROM system_metrics",
              "DROP MATERIALIZED VIEW mv_daily_task_summary"));
    }
  }

  @Test
  void shouldLetOwnerManageSchemaButNotResetStatistics(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (LoginRole owner = new LoginRole(db, "hourglass_owner");
        LoginRole analyst = new LoginRole(db, "hourglass_analyst");
        Connection c = owner.connect()) {
      Sql.exec(
          c,
          "CREATE TABLE owner_scratch (id int)",
          "DROP TABLE owner_scratch",
          "INSERT INTO tenant_grants (login, organization_id) VALUES ('"
              + analyst.name
              + "', '"
              + ORG_A
              + "')",
          "DELETE FROM tenant_grants",
          "REFRESH MATERIALIZED VIEW mv_daily_task_summary");
      assertThat(Sql.count(c, "SELECT count(*) FROM audit_log WHERE table_name = 'tenant_grants'"))
          .isEqualTo(2);
      assertRefused(
          c,
          List.of(),
          List.of(
              "SELECT pg_stat_statements_reset()",
              "CREATE ROLE intruder",
              "SET ROLE hourglass_analyst"));
    }
  }

  @Test
  void shouldMigrateAsLoginOfOwnerRoleAfterSuperuserBootstrap(TestDatabase db) throws SQLException {
    // As local mode and an operator do (schema-sql/README.md): the superuser only prepares and
    // finishes, a LOGIN in hourglass_owner migrates.
    try (Connection admin = db.connect()) {
      SchemaBootstrap.prepare(admin);
    }
    try (LoginRole migrator = new LoginRole(db, SchemaBootstrap.OWNER)) {
      MigrationResult result =
          Migrator.forUrl(db.jdbcUrl(), migrator.name, migrator.password()).migrate();
      assertThat(result)
          .isEqualTo(new MigrationResult(Migrations.COUNT, Migrations.LATEST_VERSION));
      try (Connection admin = db.connect()) {
        SchemaBootstrap.finish(admin);
        SchemaBootstrap.finish(admin);
        assertThat(
                Sql.tuples(
                    admin,
                    "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                        + " AND relkind IN ('r', 'p', 'v', 'm')"
                        + " AND pg_get_userbyid(relowner) <> 'hourglass_owner'"
                        + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = pg_class.oid"
                        + " AND d.deptype = 'e')"))
            .as("objects not owned by hourglass_owner, flyway_schema_history included")
            .isEmpty();
        assertThat(
                Sql.value(
                    admin,
                    "SELECT pg_get_userbyid(datdba)::text FROM pg_database"
                        + " WHERE datname = current_database()"))
            .isEqualTo(SchemaBootstrap.OWNER);
        // finish installed pg_stat_statements with V19's privileges: nobody of ours resets it.
        assertThat(
                Sql.value(
                    admin,
                    "SELECT has_function_privilege('hourglass_analyst',"
                        + " 'pg_stat_statements_reset(oid, oid, bigint, boolean)', 'EXECUTE')"
                        + " OR has_function_privilege('hourglass_owner',"
                        + " 'pg_stat_statements_reset(oid, oid, bigint, boolean)', 'EXECUTE')"))
            .isEqualTo(false);
        assertThat(
                Sql.value(
                    admin,
                    "SELECT has_table_privilege('hourglass_maintainer', 'pg_stat_statements',"
                        + " 'SELECT') AND pg_has_role('hourglass_maintainer', 'pg_read_all_stats',"
                        + " 'MEMBER')"))
            .isEqualTo(true);
      }
      // The migrator records its next migrations in the history it now may write.
      assertThat(Migrator.forUrl(db.jdbcUrl(), migrator.name, migrator.password()).migrate())
          .isEqualTo(new MigrationResult(0, Migrations.LATEST_VERSION));
      try (Connection admin = db.connect()) {
        Sql.exec(
            admin,
            "REASSIGN OWNED BY " + migrator.name + " TO " + db.user(),
            "DROP OWNED BY " + migrator.name);
      }
    }
  }

  @Test
  void shouldRefuseLoginOutsideOurRolesEvenToConnect(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    String stranger = "stranger_" + Long.toHexString(System.nanoTime());
    try (Connection admin = db.connect()) {
      Sql.exec(admin, "CREATE ROLE " + stranger + " LOGIN PASSWORD 'p'");
      try {
        Properties props = new Properties();
        props.setProperty("user", stranger);
        props.setProperty("password", "p");
        assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), props).close())
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      } finally {
        Sql.exec(admin, "DROP ROLE " + stranger);
      }
    }
  }

  @Test
  void shouldGrantNothingOfOursToPublic(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect()) {
      assertThat(
              Sql.tuples(
                  admin,
                  "SELECT c.relname::text FROM pg_class c, aclexplode(c.relacl) a"
                      + " WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = 0"
                      + " UNION ALL SELECT p.oid::regprocedure::text FROM pg_proc p"
                      + " WHERE p.pronamespace = 'public'::regnamespace"
                      + " AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a"
                      + " WHERE a.grantee = 0))"
                      + " AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e"
                      + " ON e.oid = d.refobjid WHERE d.classid = 'pg_proc'::regclass"
                      + " AND d.objid = p.oid AND d.deptype = 'e' AND e.extname = 'pg_trgm')"
                      + " UNION ALL SELECT 'schema public' FROM pg_namespace n, aclexplode(n.nspacl) a"
                      + " WHERE n.nspname = 'public' AND a.grantee = 0"
                      + " UNION ALL SELECT 'database' FROM pg_database d, aclexplode(d.datacl) a"
                      + " WHERE d.datname = current_database() AND a.grantee = 0"))
          .isEmpty();
    }
  }

  /** Every statement of both lists fails with 42501, each in its own transaction. */
  private static void assertRefused(Connection c, List<String> common, List<String> own) {
    for (List<String> list : List.of(common, own)) {
      for (String sql : list) {
        assertThatThrownBy(() -> Sql.exec(c, sql))
            .as(sql)
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      }
    }
  }
}
