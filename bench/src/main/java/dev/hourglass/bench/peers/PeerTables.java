package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A peer's rollup tables: a PostgreSQL schema of its own holding {@code task_rollups_hourly},
 * {@code agent_rollups_hourly} and {@code integration_rollups_hourly} with Hourglass's key
 * (organization, entity, hour) and integer measures, so that the benchmark's readers (the rollup
 * watch, the ledger check) read a peer's rows as they read Hourglass's, through a JDBC URL whose
 * {@code currentSchema} is the peer's. Created by the benchmark, as a team would create them with
 * its own migrations: the peers' sinks do not evolve schemas.
 */
public final class PeerTables {
  private static final Map<Family, String> TABLE =
      Map.of(
          Family.TASK, "task_rollups_hourly",
          Family.AGENT, "agent_rollups_hourly",
          Family.INTEGRATION, "integration_rollups_hourly");

  /** Where a peer without a dead-letter topic sets aside bad records (Flink's side output). */
  static final String DEAD_LETTERS = "dead_letters";

  private PeerTables() {}

  /**
   * Creates {@code schema}'s dead-letter table: one row per bad record, keyed by where it was, so
   * that a record set aside again after a restart counts once.
   */
  static void createDeadLetters(String jdbcUrl, String user, String password, String schema) {
    try (Connection c = DriverManager.getConnection(url(jdbcUrl, schema), user, password);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + DEAD_LETTERS
              + " (topic text NOT NULL, kafka_partition integer NOT NULL,"
              + " kafka_offset bigint NOT NULL, reason text NOT NULL,"
              + " PRIMARY KEY (topic, kafka_partition, kafka_offset))");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create " + schema + "'s dead letters: " + e, e);
    }
  }

  /** The rollup table of {@code family}. */
  static String table(Family family) {
    return TABLE.get(family);
  }

  /** {@code jdbcUrl} with {@code schema} first on the search path. */
  public static String url(String jdbcUrl, String schema) {
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Creates {@code schema} (a name from code, never from data) and its three tables. */
  public static void create(String jdbcUrl, String user, String password, String schema) {
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain schema name: " + schema);
    }
    List<String> ddl = new ArrayList<>();
    ddl.add("CREATE SCHEMA " + schema);
    for (Family family : Family.values()) {
      StringBuilder t = new StringBuilder();
      t.append("CREATE TABLE ")
          .append(schema)
          .append('.')
          .append(table(family))
          .append(" (organization_id text NOT NULL, ")
          .append(family.entityKeyField())
          .append(" text NOT NULL, window_start timestamptz NOT NULL");
      for (String m : Measures.names(family)) {
        t.append(", ").append(m).append(" bigint NOT NULL");
      }
      t.append(", PRIMARY KEY (organization_id, ")
          .append(family.entityKeyField())
          .append(", window_start))");
      ddl.add(t.toString());
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement s = c.createStatement()) {
      for (String sql : ddl) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the peer tables in " + schema + ": " + e, e);
    }
  }
}
