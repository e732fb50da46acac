package dev.hourglass.bench;

import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.schema.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers for the benchmarks' ITs: migrate, run statements, read rows. */
final class Sql {
  private Sql() {}

  /** Migrates {@code db} with the packaged migrations. */
  static void migrate(TestDatabase db) {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
  }

  static void exec(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Every row of {@code sql} (bound to {@code args}) as its column values in order. */
  static List<List<Object>> tuples(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        List<List<Object>> out = new ArrayList<>();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(columns);
          for (int i = 1; i <= columns; i++) {
            row.add(rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  /** The single value of a one-row, one-column query. */
  static Object value(Connection c, String sql, Object... args) throws SQLException {
    List<List<Object>> rows = tuples(c, sql, args);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException("expected one value from " + sql + " but got " + rows);
    }
    return rows.get(0).get(0);
  }

  static long count(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return ((Number) value(c, sql)).longValue();
    }
  }
}
