package dev.hourglass.schema;

import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small JDBC helpers for the schema ITs (and, through this module's test jar, the benchmarks'):
 * migrate, run statements, read rows as maps or tuples.
 */
public final class Sql {
  private Sql() {}

  /** Migrates {@code db} with the packaged migrations. */
  public static void migrate(TestDatabase db) {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
  }

  public static void exec(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Every row of {@code sql} (bound to {@code args}), each as column name to value. */
  public static List<Map<String, Object>> rows(Connection c, String sql, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  /** Every row of {@code sql} as its column values in order (nulls kept). */
  public static List<List<Object>> tuples(Connection c, String sql, Object... args)
      throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    for (Map<String, Object> row : rows(c, sql, args)) {
      out.add(java.util.Arrays.asList(row.values().toArray()));
    }
    return out;
  }

  /** The single value of a one-row, one-column query. */
  public static Object value(Connection c, String sql, Object... args) throws SQLException {
    List<Map<String, Object>> rows = rows(c, sql, args);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException("expected one value from " + sql + " but got " + rows);
    }
    return rows.get(0).values().iterator().next();
  }

  public static long count(Connection c, String sql, Object... args) throws SQLException {
    return ((Number) value(c, sql, args)).longValue();
  }

  /** {@code json} normalised by PostgreSQL (key order, spacing), for exact comparison. */
  public static String jsonb(Connection c, String json) throws SQLException {
    return (String) value(c, "SELECT ?::jsonb::text", json);
  }
}
