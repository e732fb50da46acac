package dev.hourglass.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Autovacuum during a window: once a second, which tables a (auto)vacuum or analyze is working on
 * ({@code pg_stat_progress_vacuum}, {@code pg_stat_progress_analyze}), and, from two snapshots of
 * {@code pg_stat_user_tables}, what each table received and what autovacuum did to it.
 */
final class VacuumWatch implements AutoCloseable {
  /**
   * One table's activity between the two snapshots (partitions under their own names).
   *
   * @param hotUpdated updates that were HOT (no index entry written)
   * @param autovacuumMs PostgreSQL 18's {@code total_autovacuum_time} delta
   * @param secondsSeenVacuuming samples (1 s apart) that saw a vacuum working on it
   */
  record TableActivity(
      String table,
      long inserted,
      long updated,
      long hotUpdated,
      long deadAtEnd,
      long autovacuums,
      long autoanalyzes,
      double autovacuumMs,
      double autoanalyzeMs,
      long secondsSeenVacuuming,
      long secondsSeenAnalyzing) {}

  private static final String TABLES =
      "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, autovacuum_count,"
          + " autoanalyze_count, total_autovacuum_time, total_autoanalyze_time"
          + " FROM pg_stat_user_tables";

  private final Connection c;
  private final Map<String, double[]> before;
  private final Map<String, Long> vacuuming = new TreeMap<>();
  private final Map<String, Long> analyzing = new TreeMap<>();
  private final BackgroundLoop loop;

  private VacuumWatch(Connection c, Map<String, double[]> before) {
    this.c = c;
    this.before = before;
    this.loop =
        BackgroundLoop.start(
            "bench-vacuum-watch",
            l -> {
              while (l.running()) {
                sample();
                Thread.sleep(1000);
              }
            });
  }

  /** Takes the first snapshot and starts sampling on {@code c}, which it then owns. */
  static VacuumWatch start(Connection c) throws SQLException {
    return new VacuumWatch(c, snapshot(c));
  }

  private void sample() {
    try {
      count(
          "SELECT c.relname FROM pg_stat_progress_vacuum p JOIN pg_class c ON c.oid = p.relid",
          vacuuming);
      count(
          "SELECT c.relname FROM pg_stat_progress_analyze p JOIN pg_class c ON c.oid = p.relid",
          analyzing);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vacuum progress views", e);
    }
  }

  private synchronized void count(String sql, Map<String, Long> into) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        into.merge(r.getString(1), 1L, Long::sum);
      }
    }
  }

  /** Stops sampling; returns every table that received rows or was vacuumed, busiest first. */
  List<TableActivity> finish() throws SQLException {
    loop.close();
    loop.check("watching autovacuum");
    Map<String, double[]> after;
    synchronized (this) {
      after = snapshot(c);
    }
    List<TableActivity> out = new ArrayList<>();
    after.forEach(
        (table, a) -> {
          double[] b = before.getOrDefault(table, new double[a.length]);
          long ins = (long) (a[0] - b[0]);
          long upd = (long) (a[1] - b[1]);
          long vac = (long) (a[4] - b[4]);
          long seen = vacuuming.getOrDefault(table, 0L) + analyzing.getOrDefault(table, 0L);
          if (ins + upd + vac + (long) (a[5] - b[5]) + seen == 0) {
            return;
          }
          out.add(
              new TableActivity(
                  table,
                  ins,
                  upd,
                  (long) (a[2] - b[2]),
                  (long) a[3],
                  vac,
                  (long) (a[5] - b[5]),
                  a[6] - b[6],
                  a[7] - b[7],
                  vacuuming.getOrDefault(table, 0L),
                  analyzing.getOrDefault(table, 0L)));
        });
    out.sort((x, y) -> Long.compare(y.inserted() + y.updated(), x.inserted() + x.updated()));
    return out;
  }

  private static Map<String, double[]> snapshot(Connection c) throws SQLException {
    Map<String, double[]> m = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(TABLES)) {
      while (r.next()) {
        double[] v = new double[8];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.getDouble(i + 2);
        }
        m.put(r.getString(1), v);
      }
    }
    return m;
  }

  @Override
  public void close() throws SQLException {
    loop.close();
    c.close();
  }
}
