package dev.hourglass.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the database's time goes, per statement: {@code pg_stat_statements} over a measured window,
 * and the plans {@code auto_explain} logs (ANALYZE, BUFFERS, WAL, JSON) while a shorter window is
 * open. Needs a server started with {@code shared_preload_libraries} holding both and its log
 * written as {@code jsonlog} into a directory this process reads ({@link #serverSettings}).
 */
final class StatementFindings {
  /** Server settings that make the findings possible, beside the durable ones. */
  static Map<String, String> serverSettings(Path logDirectory) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("shared_preload_libraries", "pg_stat_statements,auto_explain");
    s.put("pg_stat_statements.track", "all");
    s.put("logging_collector", "on");
    s.put("log_destination", "jsonlog");
    s.put("log_directory", logDirectory.toString());
    s.put("log_filename", "postgresql.log");
    // auto_explain.log_min_duration stays at its default (-1, off) and is not set here: a
    // command-line setting would outrank the ALTER SYSTEM that opens the window (explainWindow).
    s.put("auto_explain.log_format", "json");
    s.put("auto_explain.log_analyze", "on");
    s.put("auto_explain.log_buffers", "on");
    s.put("auto_explain.log_wal", "on");
    s.put("auto_explain.log_triggers", "on");
    s.put("auto_explain.log_nested_statements", "off");
    s.put("log_autovacuum_min_duration", "0");
    // Time spent writing and syncing WAL (pg_stat_io), which no statement's own figures show.
    s.put("track_io_timing", "on");
    s.put("track_wal_io_timing", "on");
    return s;
  }

  /** Statements of this benchmark's own observers, left out of the figures. */
  private static final List<String> OWN =
      List.of("pg_stat_", "pg_current_wal", "pg_class", "pg_reload_conf", "ALTER SYSTEM");

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatementFindings() {}

  /**
   * One statement's totals over the window.
   *
   * @param statement its text, whitespace collapsed, cut at 200 characters
   * @param share of the window's total execution time over all statements
   */
  record StatementRow(
      String statement,
      long calls,
      double totalMs,
      double meanMs,
      long rows,
      long sharedHit,
      long sharedRead,
      long sharedDirtied,
      long sharedWritten,
      long walRecords,
      long walFpi,
      long walBytes,
      double share) {}

  /** Resets the statement statistics: the window starts. */
  static void reset(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      s.execute("SELECT pg_stat_statements_reset()");
    }
  }

  /** Every statement of the window but the observers', the most expensive first. */
  static List<StatementRow> statements(Connection c) throws SQLException {
    List<StatementRow> rows = new ArrayList<>();
    String sql =
        "SELECT query, calls, total_exec_time, mean_exec_time, rows, shared_blks_hit,"
            + " shared_blks_read, shared_blks_dirtied, shared_blks_written, wal_records, wal_fpi,"
            + " wal_bytes FROM pg_stat_statements WHERE toplevel ORDER BY total_exec_time DESC";
    double total = 0;
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        String text = collapse(r.getString(1));
        double ms = r.getDouble(3);
        if (OWN.stream().anyMatch(text::contains)) {
          continue;
        }
        total += ms;
        rows.add(
            new StatementRow(
                cut(text, 200),
                r.getLong(2),
                ms,
                r.getDouble(4),
                r.getLong(5),
                r.getLong(6),
                r.getLong(7),
                r.getLong(8),
                r.getLong(9),
                r.getLong(10),
                r.getLong(11),
                r.getBigDecimal(12).longValue(),
                0));
      }
    }
    double sum = total;
    return rows.stream()
        .map(
            x ->
                new StatementRow(
                    x.statement(),
                    x.calls(),
                    x.totalMs(),
                    x.meanMs(),
                    x.rows(),
                    x.sharedHit(),
                    x.sharedRead(),
                    x.sharedDirtied(),
                    x.sharedWritten(),
                    x.walRecords(),
                    x.walFpi(),
                    x.walBytes(),
                    sum == 0 ? 0 : x.totalMs() / sum))
        .toList();
  }

  /**
   * WAL I/O so far ({@code pg_stat_io}, object {@code wal}): writes, write ms, fsyncs, fsync ms,
   * summed over the backends and processes that did it.
   */
  static Map<String, Double> walIo(Connection c) throws SQLException {
    Map<String, Double> m = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT coalesce(sum(writes), 0), coalesce(sum(write_time), 0),"
                    + " coalesce(sum(fsyncs), 0), coalesce(sum(fsync_time), 0)"
                    + " FROM pg_stat_io WHERE object = 'wal'")) {
      r.next();
      m.put("writes", r.getDouble(1));
      m.put("write_ms", r.getDouble(2));
      m.put("fsyncs", r.getDouble(3));
      m.put("fsync_ms", r.getDouble(4));
    }
    return m;
  }

  /** {@code after - before}, key by key. */
  static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> m = new LinkedHashMap<>();
    after.forEach((k, v) -> m.put(k, v - before.getOrDefault(k, 0.0)));
    return m;
  }

  /** Opens (every statement's plan is logged) or closes the auto_explain window. */
  static void explainWindow(Connection c, boolean open) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("ALTER SYSTEM SET auto_explain.log_min_duration = " + (open ? "0" : "-1"));
      s.execute("SELECT pg_reload_conf()");
    }
  }

  /**
   * The plans of one statement text.
   *
   * @param plans how many were logged
   * @param totalMs their summed durations
   * @param walBytes their summed WAL, from the top plan node
   * @param triggers trigger (foreign key check) time by trigger name, ms
   * @param nodes time by plan node ({@code Node Type} on relation or index), exclusive ms
   * @param slowest the slowest plan as logged
   */
  record PlanSummary(
      String statement,
      int plans,
      double totalMs,
      long sharedHit,
      long sharedRead,
      long sharedDirtied,
      long walRecords,
      long walFpi,
      long walBytes,
      Map<String, Double> triggers,
      Map<String, Double> nodes,
      JsonNode slowest) {}

  /** The plans in the server's jsonlog files, summed per statement text, most expensive first. */
  static List<PlanSummary> plans(Path logDirectory) {
    Map<String, List<Plan>> byText = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(logDirectory)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          Plan p = parse(line);
          if (p != null && OWN.stream().noneMatch(p.text()::contains)) {
            byText.computeIfAbsent(p.text(), t -> new ArrayList<>()).add(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the server's log in " + logDirectory, e);
    }
    List<PlanSummary> out = new ArrayList<>();
    byText.forEach((text, plans) -> out.add(summarise(text, plans)));
    out.sort(Comparator.comparingDouble(PlanSummary::totalMs).reversed());
    return out;
  }

  /**
   * The plans with each foreign key's check trigger ({@code RI_ConstraintTrigger_c_<oid>}) named by
   * its constraint and table, which is what a reader can act on.
   */
  static List<PlanSummary> nameTriggers(Connection c, List<PlanSummary> plans) throws SQLException {
    Map<String, String> names = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT t.tgname, k.conname || ' on ' || t.tgrelid::regclass FROM pg_trigger t"
                    + " JOIN pg_constraint k ON k.oid = t.tgconstraint WHERE t.tgisinternal")) {
      while (r.next()) {
        names.put(r.getString(1), r.getString(2));
      }
    }
    return plans.stream()
        .map(
            p -> {
              Map<String, Double> triggers = new TreeMap<>();
              p.triggers()
                  .forEach((k, v) -> triggers.merge(names.getOrDefault(k, k), v, Double::sum));
              return new PlanSummary(
                  p.statement(),
                  p.plans(),
                  p.totalMs(),
                  p.sharedHit(),
                  p.sharedRead(),
                  p.sharedDirtied(),
                  p.walRecords(),
                  p.walFpi(),
                  p.walBytes(),
                  triggers,
                  p.nodes(),
                  p.slowest());
            })
        .toList();
  }

  /** One logged plan: its statement, duration and JSON. */
  record Plan(String text, double ms, JsonNode json) {}

  /** A jsonlog line holding an auto_explain plan, or null for any other line. */
  static Plan parse(String line) {
    if (!line.contains("plan:")) {
      return null;
    }
    try {
      String message = JSON.readTree(line).path("message").asText("");
      int plan = message.indexOf("plan:");
      if (!message.startsWith("duration: ") || plan < 0) {
        return null;
      }
      double ms =
          Double.parseDouble(message.substring("duration: ".length(), message.indexOf(" ms")));
      JsonNode json = JSON.readTree(message.substring(plan + "plan:".length()));
      // The bound arrays of a batch: megabytes that say nothing about the plan.
      if (json instanceof ObjectNode o) {
        o.remove("Query Parameters");
      }
      return new Plan(collapse(json.path("Query Text").asText()), ms, json);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static PlanSummary summarise(String text, List<Plan> plans) {
    double ms = 0;
    long hit = 0;
    long read = 0;
    long dirtied = 0;
    long walRecords = 0;
    long walFpi = 0;
    long walBytes = 0;
    Map<String, Double> triggers = new TreeMap<>();
    Map<String, Double> nodes = new TreeMap<>();
    Plan slowest = plans.get(0);
    for (Plan p : plans) {
      ms += p.ms();
      JsonNode top = p.json().path("Plan");
      hit += top.path("Shared Hit Blocks").asLong();
      read += top.path("Shared Read Blocks").asLong();
      dirtied += top.path("Shared Dirtied Blocks").asLong();
      walRecords += top.path("WAL Records").asLong();
      walFpi += top.path("WAL FPI").asLong();
      walBytes += top.path("WAL Bytes").asLong();
      for (JsonNode t : p.json().path("Triggers")) {
        triggers.merge(t.path("Trigger Name").asText(), t.path("Time").asDouble(), Double::sum);
      }
      exclusive(top, nodes);
      if (p.ms() > slowest.ms()) {
        slowest = p;
      }
    }
    return new PlanSummary(
        cut(text, 200),
        plans.size(),
        ms,
        hit,
        read,
        dirtied,
        walRecords,
        walFpi,
        walBytes,
        triggers,
        nodes,
        slowest.json());
  }

  /** Adds each node's own time (its total less its children's) under its type and relation. */
  private static void exclusive(JsonNode node, Map<String, Double> nodes) {
    double own = node.path("Actual Total Time").asDouble() * node.path("Actual Loops").asDouble(1);
    for (JsonNode child : node.path("Plans")) {
      own -= child.path("Actual Total Time").asDouble() * child.path("Actual Loops").asDouble(1);
      exclusive(child, nodes);
    }
    String on =
        node.has("Index Name")
            ? " using " + node.path("Index Name").asText()
            : node.has("Relation Name") ? " on " + node.path("Relation Name").asText() : "";
    nodes.merge(node.path("Node Type").asText() + on, Math.max(0, own), Double::sum);
  }

  static String collapse(String sql) {
    return sql == null ? "" : sql.replaceAll("\\s+", " ").trim();
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
