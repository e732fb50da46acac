package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tenants bound to logins (V18): a login reads an organization only when {@code tenant_grants}
 * grants it, whatever {@code hourglass.organization_id} names. What an analyst can reach is read
 * from the catalog, so a table, view or function added later is covered without editing this test.
 */
@HourglassIT
class TenantGrantsIT {
  /**
   * Every function with tenant data an analyst may execute, and a query that counts what it returns
   * of the organization bound to {@code ?}. A new function granted to analysts fails {@link
   * #shouldShowAnalystGrantedANoRowOfBInAnyTableViewOrFunction} until it is listed here (see
   * schema-sql/README.md, "Security").
   */
  private static final Map<String, String> TENANT_FUNCTIONS =
      Map.of(
          "get_active_tasks_optimized(uuid,integer,integer)",
          "SELECT count(*) FROM get_active_tasks_optimized(?::uuid)",
          "get_agent_performance_metrics(uuid,interval)",
          "SELECT count(*) FROM get_agent_performance_metrics(?::uuid)",
          "get_organization_analytics(uuid,date,date)",
          "SELECT (get_organization_analytics(?::uuid, CURRENT_DATE - 2, CURRENT_DATE)"
              + " -> 'summary' ->> 'total_tasks')::bigint",
          "hourglass_visible_organization()",
          "SELECT count(*) FROM (SELECT hourglass_visible_organization() AS o) s WHERE o = ?::uuid",
          "alerts_firing_now(uuid)",
          "SELECT count(*) FROM alerts_firing_now(?::uuid)",
          "alert_summary(uuid,timestamp with time zone,timestamp with time zone)",
          "SELECT coalesce(sum(fired + resolved), 0)::bigint"
              + " FROM alert_summary(?::uuid, '-infinity', 'infinity')",
          "alert_time_to_resolve(uuid,timestamp with time zone,timestamp with time zone)",
          "SELECT coalesce(sum(resolved), 0)::bigint"
              + " FROM alert_time_to_resolve(?::uuid, '-infinity', 'infinity')",
          "alert_flapping_keys(uuid,timestamp with time zone,timestamp with time zone,integer)",
          "SELECT count(*) FROM alert_flapping_keys(?::uuid, '-infinity', 'infinity', 1)");

  /** Functions of their arguments (or the session's own setting) only: they read no table. */
  private static final Set<String> DATA_FREE_FUNCTIONS =
      Set.of(
          "hg_add(bigint[],bigint[])",
          "hg_bucket_of(double precision)",
          "hg_count(bigint[])",
          "hg_merge(bigint[])",
          "hg_percentile(bigint[],double precision)",
          "hg_upper_bound(integer)",
          "hourglass_organization_id()");

  @Test
  void shouldShowAnalystGrantedANoRowOfBInAnyTableViewOrFunction(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        Connection c = analyst.connect()) {
      SecurityIT.bothTenantsEverywhere(admin);
      List<String> relations = readableRelations(admin, analyst.name);
      assertThat(relations).as("relations an analyst reads").hasSize(23);
      List<String> functions = executableFunctions(admin, analyst.name);
      assertThat(functions)
          .as("functions an analyst executes, each with a tenant check in this test")
          .allMatch(f -> TENANT_FUNCTIONS.containsKey(f) || DATA_FREE_FUNCTIONS.contains(f))
          .containsAll(TENANT_FUNCTIONS.keySet());

      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_B + "'");
      for (String relation : relations) {
        assertThat(Sql.count(c, "SELECT count(*) FROM " + relation))
            .as("rows seen in %s with the setting on B", relation)
            .isZero();
      }
      for (String function : functions) {
        if (TENANT_FUNCTIONS.containsKey(function)) {
          assertThat(Sql.count(c, TENANT_FUNCTIONS.get(function), ORG_B))
              .as("rows of B from %s with the setting on B", function)
              .isZero();
        }
      }

      // The same probes see A's rows once the setting names it: none of them is blind.
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");
      for (String relation : relations) {
        String column = relation.equals("organizations") ? "id" : "organization_id";
        long all = Sql.count(c, "SELECT count(*) FROM " + relation);
        assertThat(all).as("rows seen in %s with the setting on A", relation).isPositive();
        assertThat(
                Sql.count(
                    c,
                    "SELECT count(*) FROM " + relation + " WHERE " + column + " = ?::uuid",
                    ORG_A))
            .as("rows of A in %s", relation)
            .isEqualTo(all);
      }
      for (var probe : TENANT_FUNCTIONS.entrySet()) {
        assertThat(Sql.count(c, probe.getValue(), ORG_A)).as(probe.getKey()).isPositive();
        assertThat(Sql.count(c, probe.getValue(), ORG_B)).as(probe.getKey()).isZero();
      }
    }
  }

  @Test
  void shouldKeepTwoTenantsApartOnPooledConnectionSharingALogin(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole shared = new LoginRole(db, "hourglass_analyst").grant(ORG_A, ORG_B)) {
      SecurityIT.bothTenantsEverywhere(admin);
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(db.jdbcUrl());
      config.setUsername(shared.name);
      config.setPassword(shared.password());
      // One connection, so every transaction below runs on the same server session.
      config.setMaximumPoolSize(1);
      try (HikariDataSource pool = new HikariDataSource(config)) {
        List<Object> backends = new ArrayList<>();
        assertThat(tenantTransaction(pool, ORG_A, backends)).containsOnly(ORG_A).hasSize(5);
        // SET LOCAL ended with the transaction: the next borrower of the connection sees nothing.
        assertThat(tenantTransaction(pool, null, backends)).isEmpty();
        assertThat(tenantTransaction(pool, ORG_B, backends)).containsOnly(ORG_B).hasSize(5);
        assertThat(tenantTransaction(pool, null, backends)).isEmpty();
        assertThat(backends)
            .as("one server session throughout")
            .hasSize(4)
            .containsOnly(backends.get(0));
      }
    }
  }

  @Test
  void shouldFollowLoginNotRoleWhenAnalystSetsRole(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole onlyA = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        LoginRole onlyB = new LoginRole(db, "hourglass_analyst").grant(ORG_B);
        Connection c = onlyA.connect()) {
      SecurityIT.bothTenantsEverywhere(admin);
      // SET ROLE to another analyst login is refused; the grant follows the login, not the role.
      assertThatThrownBy(() -> Sql.exec(c, "SET ROLE " + onlyB.name))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
      Sql.exec(c, "SET ROLE hourglass_analyst", "SET hourglass.organization_id = '" + ORG_B + "'");
      assertThat(Sql.count(c, "SELECT count(*) FROM tasks")).isZero();
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");
      assertThat(Sql.count(c, "SELECT count(*) FROM tasks")).isEqualTo(1);
    }
  }

  @Test
  void shouldAuditTenantGrantsManagedByOwner(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole owner = new LoginRole(db, "hourglass_owner");
        LoginRole analyst = new LoginRole(db, "hourglass_analyst");
        Connection o = owner.connect()) {
      Sql.rows(
          o,
          "INSERT INTO tenant_grants (login, organization_id) VALUES (?, ?::uuid) RETURNING 1",
          analyst.name,
          ORG_A);
      Sql.rows(o, "DELETE FROM tenant_grants WHERE login = ? RETURNING 1", analyst.name);
      assertThat(
              Sql.tuples(
                  admin,
                  "SELECT operation, organization_id::text, db_user,"
                      + " coalesce(new_data, old_data) ->> 'login' FROM audit_log"
                      + " WHERE table_name = 'tenant_grants' ORDER BY timestamp, operation DESC"))
          .containsExactly(
              List.of("INSERT", ORG_A, owner.name, analyst.name),
              List.of("DELETE", ORG_A, owner.name, analyst.name));
    }
  }

  @Test
  void shouldRefuseGrantToLoginThatDoesNotExist(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect()) {
      assertThatThrownBy(
              () ->
                  Sql.exec(
                      admin,
                      "INSERT INTO tenant_grants (login, organization_id) VALUES ('nobody_here', '"
                          + ORG_A
                          + "')"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("23503");
                assertThat(e.getMessage())
                    .contains(
                        "Invalid value nobody_here for tenant_grants.login: no LOGIN role of that"
                            + " name");
              });
    }
  }

  @Test
  void shouldRefuseAnalystAndWriterReadingOrChangingGrants(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A);
        LoginRole writer = new LoginRole(db, "hourglass_writer");
        Connection a = analyst.connect();
        Connection w = writer.connect()) {
      for (Connection c : List.of(a, w)) {
        for (String sql :
            List.of(
                "SELECT count(*) FROM tenant_grants",
                "INSERT INTO tenant_grants (login, organization_id) VALUES (session_user, '"
                    + ORG_B
                    + "')",
                "UPDATE tenant_grants SET organization_id = '" + ORG_B + "'",
                "DELETE FROM tenant_grants")) {
          assertThatThrownBy(() -> Sql.exec(c, sql))
              .as(sql)
              .isInstanceOfSatisfying(
                  SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
      }
    }
  }

  /**
   * One transaction on a pooled connection: {@code SET LOCAL} the organization (unless null), read
   * the organization of every task, commit. Records the server session's process id.
   */
  private static List<Object> tenantTransaction(
      HikariDataSource pool, String organization, List<Object> backends) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        backends.add(Sql.value(c, "SELECT pg_backend_pid()"));
        if (organization != null) {
          Sql.value(c, "SELECT set_config('hourglass.organization_id', ?, true)", organization);
        }
        List<Object> orgs = new ArrayList<>();
        for (List<Object> row : Sql.tuples(c, "SELECT organization_id::text FROM tasks")) {
          orgs.add(row.get(0));
        }
        for (List<Object> row : Sql.tuples(c, "SELECT organization_id::text FROM alerts")) {
          orgs.add(row.get(0));
        }
        for (List<Object> row : Sql.tuples(c, "SELECT id::text FROM organizations")) {
          orgs.add(row.get(0));
        }
        c.commit();
        return orgs;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Tables, views and materialized views of public the login may read any column of. */
  static List<String> readableRelations(Connection admin, String login) throws SQLException {
    List<String> out = new ArrayList<>();
    for (List<Object> row :
        Sql.tuples(
            admin,
            "SELECT c.relname, c.relkind::text FROM pg_class c"
                + " WHERE c.relnamespace = 'public'::regnamespace"
                + " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                + " AND has_any_column_privilege(?, c.oid, 'SELECT') ORDER BY 1",
            login)) {
      String name = (String) row.get(0);
      assertThat(row.get(1))
          .as("%s: row-level security does not cover materialized views", name)
          .isNotEqualTo("m");
      out.add(name);
    }
    return out;
  }

  /** Functions of public (extensions' aside) the login may execute, as regprocedure text. */
  static List<String> executableFunctions(Connection admin, String login) throws SQLException {
    assertThat(
            Sql.tuples(
                admin,
                "SELECT DISTINCT e.extname::text FROM pg_proc p"
                    + " JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
                    + " AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid"
                    + " WHERE has_function_privilege(?, p.oid, 'EXECUTE')"
                    + " AND p.pronamespace = 'public'::regnamespace",
                login))
        .as("extensions whose functions the login may execute")
        .containsExactly(List.of("pg_trgm"));
    List<String> out = new ArrayList<>();
    for (List<Object> row :
        Sql.tuples(
            admin,
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
                + " WHERE p.pronamespace = 'public'::regnamespace"
                + " AND has_function_privilege(?, p.oid, 'EXECUTE')"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
                + " AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1",
            login)) {
      out.add((String) row.get(0));
    }
    return out;
  }
}
