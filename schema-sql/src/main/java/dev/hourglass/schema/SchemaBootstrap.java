package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.PGConnection;

/**
 * What only a superuser may do around a migration, so that the migration itself runs as a LOGIN
 * member of {@code hourglass_owner} (the migrator), never as a superuser. Both steps are idempotent
 * and run on a connection of a superuser to the Hourglass database.
 *
 * <pre>{@code
 * SchemaBootstrap.prepare(url, superuser, password);      // roles, database owner, pg_trgm
 * // create the migrator's LOGIN in hourglass_owner (SchemaBootstrap.MIGRATOR), then as it:
 * Migrator.forUrl(url, SchemaBootstrap.MIGRATOR, migratorPassword).migrate();
 * SchemaBootstrap.finish(url, superuser, password);       // pg_stat_statements, pg_read_all_stats
 * }</pre>
 *
 * The same statements, for an operator's psql, are in schema-sql/README.md ("Who runs it").
 */
public final class SchemaBootstrap {
  /** The LOGIN role that runs the migrations, member of {@code hourglass_owner}. */
  public static final String MIGRATOR = "hourglass_migrator";

  public static final String OWNER = "hourglass_owner";

  /** The sink's LOGIN role: it writes (hourglass_writer) and runs maintenance. */
  public static final String SINK = "hourglass_sink";

  /**
   * The LOGIN roles an operator's bootstrap creates ({@code hourglass migrate --logins}), each with
   * its groups: the migrator, and the sink.
   */
  public static final Map<String, List<String>> LOGINS =
      Map.of(MIGRATOR, List.of(OWNER), SINK, List.of("hourglass_writer", "hourglass_maintainer"));

  /** The schema's group roles (NOLOGIN): V16 and V19 create them only as a role creator. */
  public static final List<String> GROUPS =
      List.of(OWNER, "hourglass_writer", "hourglass_analyst", "hourglass_maintainer");

  private SchemaBootstrap() {}

  /** {@link #prepare(Connection)} as {@code superuser} on the database at {@code jdbcUrl}. */
  public static void prepare(String jdbcUrl, String superuser, String password) {
    try (Connection c = connect(jdbcUrl, superuser, password)) {
      prepare(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot prepare " + Migrator.mask(jdbcUrl) + " for its migrator: " + e, e);
    }
  }

  /** {@link #finish(Connection)} as {@code superuser} on the database at {@code jdbcUrl}. */
  public static void finish(String jdbcUrl, String superuser, String password) {
    try (Connection c = connect(jdbcUrl, superuser, password)) {
      finish(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot finish the migration of " + Migrator.mask(jdbcUrl) + ": " + e, e);
    }
  }

  /**
   * Creates LOGIN {@code login} when missing, as a member of {@code groups}, and sets its password
   * (sent as a scram-sha-256 verifier, never in clear), as {@code superuser}.
   */
  public static void login(
      String jdbcUrl,
      String superuser,
      String superuserPassword,
      String login,
      String password,
      List<String> groups) {
    for (String name : concat(login, groups)) {
      if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException(
            "Invalid value " + name + " for role name: must match [a-z_][a-z0-9_]{0,62}");
      }
    }
    try (Connection c = connect(jdbcUrl, superuser, superuserPassword)) {
      exec(
          c,
          "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
              + login
              + "') THEN CREATE ROLE "
              + login
              + " LOGIN; END IF; END $$");
      for (String group : groups) {
        exec(c, "GRANT " + group + " TO " + login);
      }
      c.unwrap(PGConnection.class)
          .alterUserPassword(login, password.toCharArray(), "scram-sha-256");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create login " + login + ": " + e, e);
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }

  private static Connection connect(String jdbcUrl, String user, String password)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password == null ? "" : password);
    return DriverManager.getConnection(jdbcUrl, p);
  }

  /**
   * Before migrating: the group roles (when missing); the database (and so schema {@code public},
   * owned by {@code pg_database_owner}) owned by {@code hourglass_owner}, whose members then revoke
   * PUBLIC's rights on it as V16 and V19 do; {@code pg_trgm} installed, which V1 would need the
   * database's CREATE for; and {@code flyway_schema_history} of a schema a superuser migrated
   * handed to the owner, so that the migrator may record its next migrations.
   */
  static void prepare(Connection superuser) throws SQLException {
    exec(
        superuser,
        "DO $$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['"
            + String.join("', '", GROUPS)
            + "'] LOOP IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN"
            + " EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF; END LOOP; END $$",
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO "
            + OWNER
            + "',"
            + " current_database()); END $$",
        "GRANT USAGE, CREATE ON SCHEMA public TO " + OWNER,
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        historyToOwner());
  }

  /**
   * After migrating: {@code pg_stat_statements}, which only a superuser may install (installed
   * before, V16 would fail handing its views to the owner), with V19's privileges on it (nobody
   * resets it, only the owner and maintenance read it); {@code pg_read_all_stats} for maintenance
   * as V20 would grant it; {@code flyway_schema_history} owned by {@code hourglass_owner}.
   */
  static void finish(Connection superuser) throws SQLException {
    exec(
        superuser,
        // Loadable only when preloaded; without it the statement figures stay empty, as in V1.
        "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
            + " EXCEPTION WHEN OTHERS THEN"
            + " RAISE NOTICE 'pg_stat_statements not installed (%)', SQLERRM; END $$",
        "DO $$ DECLARE f record; BEGIN"
            + " IF to_regclass('public.pg_stat_statements') IS NULL THEN RETURN; END IF;"
            + " FOR f IN SELECT p.oid::regprocedure AS signature, p.proname FROM pg_proc p"
            + " JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
            + " AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid"
            + " AND e.extname = 'pg_stat_statements' LOOP"
            + " EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.signature);"
            + " IF f.proname <> 'pg_stat_statements_reset' THEN"
            + " EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hourglass_owner,"
            + " hourglass_maintainer', f.signature); END IF; END LOOP;"
            + " REVOKE SELECT ON public.pg_stat_statements, public.pg_stat_statements_info"
            + " FROM PUBLIC;"
            + " GRANT SELECT ON public.pg_stat_statements, public.pg_stat_statements_info"
            + " TO hourglass_owner, hourglass_maintainer; END $$",
        "GRANT pg_read_all_stats TO hourglass_maintainer",
        historyToOwner());
  }

  private static String historyToOwner() {
    return "DO $$ BEGIN IF to_regclass('public.flyway_schema_history') IS NOT NULL THEN"
        + " ALTER TABLE public.flyway_schema_history OWNER TO "
        + OWNER
        + "; END IF; END $$";
  }

  private static void exec(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
