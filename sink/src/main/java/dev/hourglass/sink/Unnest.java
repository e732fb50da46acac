package dev.hourglass.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Rows sent as one array parameter per column and turned back into rows by {@code unnest(...)}, so
 * that a whole batch for one table is one statement with a fixed text (one server-side plan) and a
 * handful of parameters. Columns hold values of one PostgreSQL element type: {@code text}, {@code
 * int4}, {@code int8}, {@code float8}, {@code bool} or {@code bytea}.
 */
final class Unnest {
  private final List<String> names = new ArrayList<>();
  private final List<String> types = new ArrayList<>();
  private final List<Object[]> rows = new ArrayList<>();

  /** {@link #columns()} once computed; a new row drops it. */
  private Object[] columns;

  Unnest col(String name, String type) {
    names.add(name);
    types.add(type);
    return this;
  }

  void row(Object... values) {
    if (values.length != names.size()) {
      throw new IllegalArgumentException(
          "row of " + values.length + " values for " + names.size() + " columns " + names);
    }
    rows.add(values);
    columns = null;
  }

  int size() {
    return rows.size();
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** {@code unnest(?::text[], ?::int8[], ...) AS u(a, b, ...)}. */
  String from() {
    StringBuilder sql = new StringBuilder("unnest(");
    for (int i = 0; i < types.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("?::").append(types.get(i)).append("[]");
    }
    return sql.append(") AS u(").append(String.join(", ", names)).append(")").toString();
  }

  /** Binds the column arrays as parameters {@code first}, {@code first + 1}, .... */
  int bind(Connection connection, PreparedStatement statement, int first) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    Object[] columns = columns();
    for (int c = 0; c < columns.length; c++) {
      Array array = pg.createArrayOf(types.get(c), columns[c]);
      statement.setArray(first + c, array);
    }
    return first + names.size();
  }

  /**
   * Every column as the Java array {@link #bind} hands to pgjdbc; computed once, so that a batch
   * prepared on one thread is bound on another without redoing it (a retry binds it again).
   */
  synchronized Object[] columns() {
    if (columns == null) {
      Object[] out = new Object[names.size()];
      for (int c = 0; c < out.length; c++) {
        out[c] = column(c);
      }
      columns = out;
    }
    return columns;
  }

  /** Column {@code c} as the array pgjdbc encodes best: primitive when it has no nulls. */
  private Object column(int c) {
    int n = rows.size();
    boolean nulls = false;
    for (Object[] row : rows) {
      nulls |= row[c] == null;
    }
    switch (types.get(c)) {
      case "int8" -> {
        if (!nulls) {
          long[] out = new long[n];
          for (int i = 0; i < n; i++) {
            out[i] = ((Number) rows.get(i)[c]).longValue();
          }
          return out;
        }
        Long[] out = new Long[n];
        for (int i = 0; i < n; i++) {
          Object v = rows.get(i)[c];
          out[i] = v == null ? null : ((Number) v).longValue();
        }
        return out;
      }
      case "int4" -> {
        Integer[] out = new Integer[n];
        for (int i = 0; i < n; i++) {
          Object v = rows.get(i)[c];
          out[i] = v == null ? null : ((Number) v).intValue();
        }
        return out;
      }
      case "float8" -> {
        if (!nulls) {
          double[] out = new double[n];
          for (int i = 0; i < n; i++) {
            out[i] = ((Number) rows.get(i)[c]).doubleValue();
          }
          return out;
        }
        Double[] out = new Double[n];
        for (int i = 0; i < n; i++) {
          Object v = rows.get(i)[c];
          out[i] = v == null ? null : ((Number) v).doubleValue();
        }
        return out;
      }
      case "bool" -> {
        Boolean[] out = new Boolean[n];
        for (int i = 0; i < n; i++) {
          out[i] = (Boolean) rows.get(i)[c];
        }
        return out;
      }
      case "bytea" -> {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
          out[i] = (byte[]) rows.get(i)[c];
        }
        return out;
      }
      default -> {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
          Object v = rows.get(i)[c];
          out[i] = v == null ? null : v.toString();
        }
        return out;
      }
    }
  }
}
