package dev.hourglass.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each index of a raw-event table costs the writes: the same rows written with every index,
 * and again with one index dropped, in the same run, each attempt in a transaction that is rolled
 * back (DROP INDEX is transactional: the index is back after each attempt). Two writes per table:
 * inserting {@code rows} new rows (copies of stored rows under new ids, so that foreign keys hold),
 * and updating {@code rows} stored rows' event time, a column no index holds (an update that can be
 * HOT when the page has room). The variants alternate round by round; medians are reported. GIN
 * indexes are also timed with {@code fastupdate} off: on (the default), an insert only appends to
 * the index's pending list, and the list is merged later, by a vacuum or by the insert that finds
 * it over {@code gin_pending_list_limit}. Each foreign key is costed the same way (the constraint
 * dropped), and V27's summary-change triggers (disabled).
 */
final class IndexCost {
  /** The raw-event tables and the event-time column the sink's upserts move. */
  static final Map<String, String> TABLES = tables();

  private static Map<String, String> tables() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("tasks", "last_event_at");
    t.put("task_executions", "last_event_at");
    t.put("agent_tasks", "last_event_at");
    t.put("codegen_agents", "last_used_at");
    t.put("integration_events", null);
    return t;
  }

  /**
   * One variant's medians.
   *
   * @param variant {@code all indexes}, {@code without <index>} or {@code <index> fastupdate=off}
   * @param write {@code insert} or {@code update}
   * @param ms median time of the write
   * @param walBytes median WAL the write generated
   * @param shareOfAll the index's cost: (all indexes - this variant) / all indexes, in time
   */
  record Variant(
      String table, String write, String variant, double ms, double walBytes, double shareOfAll) {}

  private IndexCost() {}

  /** Measures every table of {@link #TABLES}; prints one line per variant. */
  static List<Variant> measure(Connection c, int rows, int rounds, PrintStream out)
      throws SQLException {
    c.setAutoCommit(false);
    List<Variant> all = new ArrayList<>();
    for (Map.Entry<String, String> t : TABLES.entrySet()) {
      all.addAll(table(c, t.getKey(), t.getValue(), rows, rounds, out));
    }
    c.setAutoCommit(true);
    return all;
  }

  private static List<Variant> table(
      Connection c, String table, String timeColumn, int rows, int rounds, PrintStream out)
      throws SQLException {
    String columns = columns(c, table);
    exec(c, "DROP TABLE IF EXISTS pg_temp.stage");
    exec(c, "CREATE TEMP TABLE stage AS SELECT " + columns + " FROM " + table + " LIMIT " + rows);
    exec(c, "ALTER TABLE pg_temp.stage ADD COLUMN new_id uuid DEFAULT gen_random_uuid()");
    c.commit();
    String insert =
        "INSERT INTO "
            + table
            + " ("
            + columns
            + ") SELECT "
            + columns.replaceFirst("^id\\b", "new_id")
            + " FROM pg_temp.stage";
    String update =
        timeColumn == null
            ? null
            : "UPDATE "
                + table
                + " t SET "
                + timeColumn
                + " = t."
                + timeColumn
                + " + interval '1 millisecond' FROM pg_temp.stage s WHERE t.id = s.id";
    Map<String, String> variants = new LinkedHashMap<>();
    variants.put("all indexes", null);
    for (Index i : indexes(c, table)) {
      if (!i.constraint()) {
        variants.put("without " + i.name(), "DROP INDEX " + i.name());
      }
      if (i.gin()) {
        variants.put(
            i.name() + " fastupdate=off", "ALTER INDEX " + i.name() + " SET (fastupdate = off)");
      }
    }
    for (String fk : foreignKeys(c, table)) {
      // DROP CONSTRAINT is transactional too; an update that keeps the key checks nothing.
      variants.put("without foreign key " + fk, "ALTER TABLE " + table + " DROP CONSTRAINT " + fk);
    }
    List<String> triggers = summaryTriggers(c, table);
    if (!triggers.isEmpty()) {
      StringBuilder disable = new StringBuilder();
      for (String t : triggers) {
        disable
            .append("ALTER TABLE ")
            .append(table)
            .append(" DISABLE TRIGGER ")
            .append(t)
            .append(';');
      }
      // V27's triggers that log the changed keys of the daily summaries.
      variants.put("without summary-change triggers", disable.toString());
    }
    List<Variant> result = new ArrayList<>();
    for (String write : update == null ? List.of("insert") : List.of("insert", "update")) {
      String sql = write.equals("insert") ? insert : update;
      Map<String, List<double[]>> times = new LinkedHashMap<>();
      List<Map.Entry<String, String>> order = new ArrayList<>(variants.entrySet());
      for (int r = 0; r < rounds; r++) {
        // Each round starts one variant later, so that no variant always runs first.
        for (int i = 0; i < order.size(); i++) {
          Map.Entry<String, String> v = order.get((i + r) % order.size());
          times
              .computeIfAbsent(v.getKey(), k -> new ArrayList<>())
              .add(attempt(c, v.getValue(), sql));
        }
      }
      double base = median(times.get("all indexes"), 0);
      for (Map.Entry<String, List<double[]>> v : times.entrySet()) {
        double ms = median(v.getValue(), 0);
        Variant x =
            new Variant(table, write, v.getKey(), ms, median(v.getValue(), 1), (base - ms) / base);
        result.add(x);
        out.printf(
            Locale.ROOT,
            "  %s %s, %s: %.1f ms, %,.0f WAL bytes (%+.0f%% of all indexes' time)%n",
            table,
            write,
            x.variant(),
            x.ms(),
            x.walBytes(),
            -100 * x.shareOfAll());
      }
    }
    return result;
  }

  /** One rolled-back attempt: {ms, WAL bytes}. */
  private static double[] attempt(Connection c, String before, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (before != null) {
        s.execute(before);
      }
      long lsn = lsn(s);
      long t0 = System.nanoTime();
      s.executeUpdate(sql);
      double ms = (System.nanoTime() - t0) / 1e6;
      double wal = lsn(s) - lsn;
      c.rollback();
      return new double[] {ms, wal};
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
  }

  private static long lsn(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
      r.next();
      return r.getLong(1);
    }
  }

  record Index(String name, boolean constraint, boolean gin) {}

  private static List<Index> indexes(Connection c, String table) throws SQLException {
    List<Index> out = new ArrayList<>();
    String sql =
        "SELECT i.indexrelid::regclass::text, EXISTS (SELECT 1 FROM pg_constraint k WHERE"
            + " k.conindid = i.indexrelid), a.amname = 'gin' FROM pg_index i JOIN pg_class x ON"
            + " x.oid = i.indexrelid JOIN pg_am a ON a.oid = x.relam WHERE i.indrelid = '"
            + table
            + "'::regclass ORDER BY 1";
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(new Index(r.getString(1), r.getBoolean(2), r.getBoolean(3)));
      }
    }
    c.commit();
    return out;
  }

  private static List<String> foreignKeys(Connection c, String table) throws SQLException {
    return names(
        c,
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = '"
            + table
            + "'::regclass ORDER BY conname");
  }

  private static List<String> summaryTriggers(Connection c, String table) throws SQLException {
    return names(
        c,
        "SELECT tgname FROM pg_trigger WHERE tgrelid = '"
            + table
            + "'::regclass AND tgname LIKE 'summary\\_changes\\_%' ORDER BY tgname");
  }

  private static List<String> names(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    c.commit();
    return out;
  }

  /** The table's stored columns, {@code id} first. */
  private static String columns(Connection c, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    String sql =
        "SELECT attname FROM pg_attribute WHERE attrelid = '"
            + table
            + "'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
            + " ORDER BY attname <> 'id', attnum";
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        names.add(r.getString(1));
      }
    }
    c.commit();
    return String.join(", ", names);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static double median(List<double[]> values, int field) {
    return BenchFormat.median(values.stream().mapToDouble(v -> v[field]).toArray());
  }
}
