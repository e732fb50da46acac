package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Small pieces of SQL text shared by the writers; none of them takes data, only column names. */
final class Sql {
  private Sql() {}

  /** The session's value of a server setting, such as {@code synchronous_commit}. */
  static String setting(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** A {@code timestamptz} from epoch milliseconds, exact (no floating point). */
  static String ts(String millisColumn) {
    return "(timestamptz 'epoch' + " + millisColumn + " * interval '1 millisecond')";
  }

  static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  /**
   * PostgreSQL array text of a histogram, cast with {@code ::bigint[]} in the statement. Appends
   * each count as a primitive: a boxed count appended as an object became a String of its own, 128
   * per rollup (43% of the sink's allocation in the JMH profile, BENCHMARKS.md).
   */
  static String histogram(List<Long> buckets) {
    StringBuilder out = new StringBuilder(buckets.size() * 2 + 2).append('{');
    for (int i = 0; i < buckets.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(buckets.get(i).longValue());
    }
    return out.append('}').toString();
  }

  static String histogram(long[] buckets) {
    StringBuilder out = new StringBuilder(buckets.length * 2 + 2).append('{');
    for (int i = 0; i < buckets.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(buckets[i]);
    }
    return out.append('}').toString();
  }

  static String hex(byte[] bytes) {
    return bytes == null ? null : HexFormat.of().formatHex(bytes);
  }

  /** Text PostgreSQL can store: it refuses NUL in text columns. */
  static String storable(String text) {
    return text == null ? null : text.replace('\u0000', ' ');
  }

  /**
   * One set-based statement: the table it writes, its fixed text and the rows bound to its array
   * parameters.
   */
  record Statement(String table, String sql, Unnest.Rows rows) {}

  /**
   * Runs the statements in order (those without rows are skipped); adds the rows each inserted or
   * updated to {@code written}, by table.
   */
  static void execute(Connection c, List<Statement> statements, Map<String, Long> written)
      throws SQLException {
    for (Statement s : statements) {
      int n = execute(c, s.sql(), s.rows());
      if (n > 0) {
        written.merge(s.table(), (long) n, Long::sum);
      }
    }
  }

  /** Runs {@code INSERT ... SELECT ... FROM unnest(...)} text built around {@code rows}. */
  static int execute(Connection c, String sql, Unnest.Rows rows) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      rows.bind(c, ps, 1);
      return ps.executeUpdate();
    }
  }
}
