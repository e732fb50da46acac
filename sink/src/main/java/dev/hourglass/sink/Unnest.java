package dev.hourglass.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.postgresql.PGConnection;

/**
 * The columns of one table's statement, each a name, a PostgreSQL element type ({@code text},
 * {@code int4}, {@code int8}, {@code float8}, {@code bool} or {@code bytea}) and how a row of type
 * {@code R} gives its value. Rows travel as one array parameter per column and are turned back into
 * rows by {@code unnest(...)}, so that a whole batch for one table is one statement with a fixed
 * text (one server-side plan) and a handful of parameters. A NUL in a {@code text} value is written
 * as a space ({@link Sql#storable}).
 */
final class Unnest<R> {
  private final List<String> names = new ArrayList<>();
  private final List<String> types = new ArrayList<>();
  private final List<Function<? super R, ?>> values = new ArrayList<>();

  Unnest<R> col(String name, String type, Function<? super R, ?> value) {
    names.add(name);
    types.add(type);
    values.add(value);
    return this;
  }

  /** How many columns are declared so far. */
  int width() {
    return names.size();
  }

  /** {@code unnest(?::text[], ?::int8[], ...) AS u(a, b, ...)}. */
  String from() {
    StringBuilder sql = new StringBuilder("unnest(");
    for (int i = 0; i < types.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("?::").append(types.get(i)).append("[]");
    }
    return sql.append(") AS u(").append(String.join(", ", names)).append(")").toString();
  }

  /** {@code rows} as the column arrays to bind, computed here, once. */
  Rows rows(Collection<? extends R> rows) {
    Object[] arrays = new Object[names.size()];
    Object[] cells = new Object[rows.size()];
    for (int c = 0; c < arrays.length; c++) {
      Function<? super R, ?> value = values.get(c);
      int i = 0;
      boolean text = types.get(c).equals("text");
      for (R row : rows) {
        Object cell = value.apply(row);
        // PostgreSQL text cannot hold NUL: an event the processor counted must still be written.
        cells[i++] = text && cell instanceof String s ? Sql.storable(s) : cell;
      }
      arrays[c] = array(types.get(c), cells);
    }
    return new Rows(List.copyOf(names), List.copyOf(types), arrays, rows.size());
  }

  /**
   * Rows as the Java arrays pgjdbc binds, one per column: computed when a batch is planned (on the
   * loop's thread), bound as they are by the writer thread, as often as the batch is retried.
   */
  static final class Rows {
    private final List<String> names;
    private final List<String> types;
    private final Object[] arrays;
    private final int size;

    private Rows(List<String> names, List<String> types, Object[] arrays, int size) {
      this.names = names;
      this.types = types;
      this.arrays = arrays;
      this.size = size;
    }

    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }

    /**
     * Column {@code name}'s array, as bound (primitive when it has no nulls); not to be changed.
     */
    Object column(String name) {
      int c = names.indexOf(name);
      if (c < 0) {
        throw new IllegalArgumentException("no column " + name + " in " + names);
      }
      return arrays[c];
    }

    /** Binds the column arrays as parameters {@code first}, {@code first + 1}, .... */
    int bind(Connection connection, PreparedStatement statement, int first) throws SQLException {
      PGConnection pg = connection.unwrap(PGConnection.class);
      for (int c = 0; c < arrays.length; c++) {
        Array array = pg.createArrayOf(types.get(c), arrays[c]);
        statement.setArray(first + c, array);
      }
      return first + arrays.length;
    }
  }

  /** One column's values as the array pgjdbc encodes best: primitive when it has no nulls. */
  private static Object array(String type, Object[] cells) {
    int n = cells.length;
    boolean nulls = false;
    for (Object v : cells) {
      nulls |= v == null;
    }
    switch (type) {
      case "int8" -> {
        if (!nulls) {
          long[] out = new long[n];
          for (int i = 0; i < n; i++) {
            out[i] = ((Number) cells[i]).longValue();
          }
          return out;
        }
        Long[] out = new Long[n];
        for (int i = 0; i < n; i++) {
          out[i] = cells[i] == null ? null : ((Number) cells[i]).longValue();
        }
        return out;
      }
      case "int4" -> {
        Integer[] out = new Integer[n];
        for (int i = 0; i < n; i++) {
          out[i] = cells[i] == null ? null : ((Number) cells[i]).intValue();
        }
        return out;
      }
      case "float8" -> {
        if (!nulls) {
          double[] out = new double[n];
          for (int i = 0; i < n; i++) {
            out[i] = ((Number) cells[i]).doubleValue();
          }
          return out;
        }
        Double[] out = new Double[n];
        for (int i = 0; i < n; i++) {
          out[i] = cells[i] == null ? null : ((Number) cells[i]).doubleValue();
        }
        return out;
      }
      case "bool" -> {
        Boolean[] out = new Boolean[n];
        for (int i = 0; i < n; i++) {
          out[i] = (Boolean) cells[i];
        }
        return out;
      }
      case "bytea" -> {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
          out[i] = (byte[]) cells[i];
        }
        return out;
      }
      default -> {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
          out[i] = cells[i] == null ? null : cells[i].toString();
        }
        return out;
      }
    }
  }
}
