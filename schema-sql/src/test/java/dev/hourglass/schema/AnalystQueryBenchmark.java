package dev.hourglass.schema;

import dev.hourglass.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * Latency of the analyst functions and views with 1, 8 and 32 concurrent clients (a benchmark, not
 * a test: it reports, it asserts nothing). Not run by the build; see schema-sql/BENCHMARKS.md:
 *
 * <pre>
 * ./mvnw -B -q -pl schema-sql -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.hourglass.schema.AnalystQueryBenchmark
 * </pre>
 *
 * <p>Starts an embedded PostgreSQL 18 on a persistent directory ({@code -Dbench.dir}, default
 * {@code $TMPDIR/hourglass-bench}), migrates it, loads the data set once (30 days of hourly rollups
 * for 1,000 organizations, one project, agent and integration each; raw events up to {@code
 * -Dbench.rawEvents}, default 10,000,000, within {@code -Dbench.loadSeconds}), then runs every
 * query as an analyst login (row-level security on, one random organization per call) for {@code
 * -Dbench.seconds} per client count and prints p50/p95/p99 and index sizes as Markdown.
 */
final class AnalystQueryBenchmark {
  private static final int ORGS = 1_000;
  private static final int DAYS = 30;

  private record Query(String name, String sql) {}

  private static final List<Query> QUERIES =
      List.of(
          // The floor: a round trip that does nothing, measured in the same run.
          new Query(
              "reference: SELECT 1 (same connection, same setting)",
              "SELECT 1 WHERE ? IS NOT NULL"),
          new Query(
              "get_active_tasks_optimized", "SELECT * FROM get_active_tasks_optimized(?::uuid)"),
          new Query(
              "get_agent_performance_metrics",
              "SELECT * FROM get_agent_performance_metrics(?::uuid)"),
          new Query("get_organization_analytics", "SELECT get_organization_analytics(?::uuid)"),
          new Query(
              "p95 agent duration, 30 days (hg_merge)",
              "SELECT hg_percentile(hg_merge(duration_histogram), 0.95) FROM agent_rollups_hourly"
                  + " WHERE organization_id = ?::uuid AND window_start >= now() - interval '30 days'"),
          new Query(
              "p95 agent duration, 30 days (hg_merge of daily rows)",
              "SELECT hg_percentile(hg_merge(duration_histogram), 0.95) FROM agent_performance_summary"
                  + " WHERE organization_id = ?::uuid AND date >= CURRENT_DATE - 30"),
          new Query(
              "daily_task_summary (mv), 30 days",
              "SELECT * FROM daily_task_summary WHERE organization_id = ?::uuid"
                  + " AND date >= CURRENT_DATE - 30"),
          new Query(
              "agent_performance_summary (mv)",
              "SELECT * FROM agent_performance_summary WHERE organization_id = ?::uuid"),
          new Query(
              "system_metrics_hourly (mv)",
              "SELECT * FROM system_metrics_hourly WHERE organization_id = ?::uuid"));

  private AnalystQueryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir =
        Path.of(
            System.getProperty(
                "bench.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "hourglass-bench").toString()));
    long rawEvents = Long.getLong("bench.rawEvents", 10_000_000L);
    long loadSeconds = Long.getLong("bench.loadSeconds", 900L);
    int seconds = Integer.getInteger("bench.seconds", 10);
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir, 0))) {
      pg.createDatabase("hourglass_bench");
      String url = pg.jdbcUrl("hourglass_bench");
      Migrator.forUrl(url, EmbeddedPostgres.SUPERUSER, "").migrate();
      try (Connection admin = connect(url, EmbeddedPostgres.SUPERUSER, "")) {
        load(admin, rawEvents, loadSeconds);
        exec(admin, "DROP ROLE IF EXISTS bench_analyst");
        exec(admin, "CREATE ROLE bench_analyst LOGIN PASSWORD 'bench' IN ROLE hourglass_analyst");
        printDataSet(admin);
      }
      System.out.println();
      System.out.println("| query | clients | calls | p50 ms | p95 ms | p99 ms | max ms |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|");
      for (Query q : QUERIES) {
        for (int clients : new int[] {1, 8, 32}) {
          Histogram h = run(url, q, clients, seconds);
          System.out.printf(
              Locale.ROOT,
              "| %s | %d | %d | %.2f | %.2f | %.2f | %.2f |%n",
              q.name(),
              clients,
              h.getTotalCount(),
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(95) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getMaxValue() / 1000.0);
        }
      }
      try (Connection admin = connect(url, EmbeddedPostgres.SUPERUSER, "")) {
        printSizes(admin);
      }
    }
  }

  /** Runs q from clients threads for seconds (after a warm-up); latencies in microseconds. */
  private static Histogram run(String url, Query q, int clients, int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Histogram>> futures = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        futures.add(
            pool.submit(
                () -> {
                  Histogram h = new Histogram(60_000_000L, 3);
                  try (Connection c = connect(url, "bench_analyst", "bench");
                      PreparedStatement set =
                          c.prepareStatement(
                              "SELECT set_config('hourglass.organization_id', ?, false)");
                      PreparedStatement ps = c.prepareStatement(q.sql())) {
                    long warmUntil = System.nanoTime() + 2_000_000_000L;
                    long until = warmUntil + seconds * 1_000_000_000L;
                    while (true) {
                      String org = org(ThreadLocalRandom.current().nextInt(ORGS));
                      set.setString(1, org);
                      set.executeQuery().close();
                      ps.setString(1, org);
                      long start = System.nanoTime();
                      try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                          rs.getObject(1);
                        }
                      }
                      long end = System.nanoTime();
                      if (end > until) {
                        break;
                      }
                      if (start > warmUntil) {
                        h.recordValue((end - start) / 1_000);
                      }
                    }
                  }
                  return h;
                }));
      }
      Histogram total = new Histogram(60_000_000L, 3);
      for (Future<Histogram> f : futures) {
        total.add(f.get());
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The data set; skipped when a previous run loaded it (same directory). */
  private static void load(Connection c, long rawEvents, long loadSeconds) throws SQLException {
    if (count(c, "SELECT count(*) FROM organizations") >= ORGS) {
      System.out.println("data set already loaded in this directory");
      return;
    }
    long started = System.nanoTime();
    step(
        c,
        "organizations, projects, users, agents",
        "INSERT INTO organizations (id, name) SELECT md5('org-' || o)::uuid, 'org ' || o"
            + " FROM generate_series(0, "
            + (ORGS - 1)
            + ") o",
        "INSERT INTO projects (id, organization_id, name) SELECT md5('project-' || o)::uuid,"
            + " md5('org-' || o)::uuid, 'project ' || o FROM generate_series(0, "
            + (ORGS - 1)
            + ") o",
        "INSERT INTO users (id, organization_id, name, email) SELECT md5('user-' || g)::uuid,"
            + " md5('org-' || (g % "
            + ORGS
            + "))::uuid, 'user ' || g, 'u' || g || '@example.test'"
            + " FROM generate_series(0, "
            + (10 * ORGS - 1)
            + ") g",
        "INSERT INTO codegen_agents (id, organization_id, name, agent_type) SELECT"
            + " md5('agent-' || o)::uuid, md5('org-' || o)::uuid, 'agent ' || o, 'codegen'"
            + " FROM generate_series(0, "
            + (ORGS - 1)
            + ") o");
    // 16 histogram shapes, a few buckets each, reused by hour.
    step(
        c,
        "histogram shapes",
        "CREATE TEMP TABLE shapes AS SELECT s, (SELECT array_agg(CASE WHEN i BETWEEN 30 + s AND"
            + " 33 + s THEN (i % 5 + 1)::bigint ELSE 0::bigint END ORDER BY i)"
            + " FROM generate_series(1, 128) i) AS h FROM generate_series(0, 15) s");
    String hours =
        " FROM generate_series(0, "
            + (ORGS - 1)
            + ") o, generate_series(date_trunc('hour', now())"
            + " - interval '"
            + DAYS
            + " days', date_trunc('hour', now()), interval '1 hour') w,"
            + " shapes WHERE shapes.s = (o + extract(hour FROM w)::int) % 16";
    step(
        c,
        "task_rollups_hourly",
        "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start, window_end,"
            + " event_count, created_count, completed_count, failed_count, actual_hours_sum,"
            + " actual_hours_count, duration_histogram, is_final)"
            + " SELECT md5('org-' || o)::uuid, md5('project-' || o)::uuid, w, w + interval '1 hour',"
            + " 12, 5, 4, 1, 7.5, 5, shapes.h, true"
            + hours);
    step(
        c,
        "agent_rollups_hourly",
        "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
            + " window_end, event_count, started_count, completed_count, failed_count,"
            + " tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count,"
            + " duration_ms_sum, duration_count, duration_histogram, is_final)"
            + " SELECT md5('org-' || o)::uuid, md5('agent-' || o)::uuid, 'codegen', w,"
            + " w + interval '1 hour', 8, 4, 3, 1, 12000, 250000, 3.2, 4, 48000, 4, shapes.h, true"
            + hours);
    step(
        c,
        "integration_rollups_hourly",
        "INSERT INTO integration_rollups_hourly (organization_id, integration_type, window_start,"
            + " window_end, event_count, success_count, error_count, unprocessed_count,"
            + " latency_ms_sum, latency_histogram, is_final)"
            + " SELECT md5('org-' || o)::uuid, 'github', w, w + interval '1 hour', 10, 9, 1, 0,"
            + " 1500, shapes.h, true"
            + hours);
    step(
        c,
        "tasks (1,000,000, current state)",
        "INSERT INTO tasks (id, organization_id, project_id, title, status, priority, assigned_to,"
            + " created_at) SELECT md5('task-' || g)::uuid, md5('org-' || (g % "
            + ORGS
            + "))::uuid,"
            + " md5('project-' || (g % "
            + ORGS
            + "))::uuid, 'Task ' || g,"
            + " CASE WHEN g % 50 = 0 THEN 'pending' WHEN g % 50 = 1 THEN 'in_progress'"
            + " WHEN g % 50 = 2 THEN 'assigned' ELSE 'completed' END, 1 + g % 5,"
            + " md5('user-' || (g % "
            + (10 * ORGS)
            + "))::uuid,"
            + " now() - make_interval(secs => g * 2.5) FROM generate_series(0, 999999) g");
    step(
        c,
        "agent_tasks (1,000,000)",
        "INSERT INTO agent_tasks (organization_id, agent_id, status, tokens_used, cost_estimate,"
            + " started_at, completed_at, created_at) SELECT md5('org-' || (g % "
            + ORGS
            + "))::uuid,"
            + " md5('agent-' || (g % "
            + ORGS
            + "))::uuid, 'completed', 3000, 0.0625,"
            + " now() - make_interval(secs => g * 2.5), now() - make_interval(secs => g * 2.5 - 12),"
            + " now() - make_interval(secs => g * 2.5) FROM generate_series(0, 999999) g");
    step(
        c,
        "system_metrics (7 days hourly per organization)",
        "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit,"
            + " timestamp) SELECT md5('org-' || o)::uuid, 'queue_depth', 'gauge', (o + h) % 50,"
            + " 'count', date_trunc('hour', now()) - make_interval(hours => h)"
            + " + make_interval(mins => (o % 60))"
            + " FROM generate_series(0, "
            + (ORGS - 1)
            + ") o, generate_series(0, 167) h");
    long loaded = 2_000_000L;
    long chunk = 1_000_000L;
    for (long from = 0;
        loaded + chunk <= rawEvents && (System.nanoTime() - started) / 1_000_000_000L < loadSeconds;
        from += chunk) {
      step(
          c,
          "integration_events " + from + ".." + (from + chunk - 1),
          "INSERT INTO integration_events (organization_id, integration_type, event_type, status,"
              + " processed, latency_ms, created_at) SELECT md5('org-' || (g % "
              + ORGS
              + "))::uuid,"
              + " 'github', 'push', 'success', g % 100 <> 0, 150,"
              + " now() - make_interval(secs => (g % 2592000)::double precision)"
              + " FROM generate_series("
              + from
              + ", "
              + (from + chunk - 1)
              + ") g");
      loaded += chunk;
    }
    step(c, "refresh_performance_views", "SELECT refresh_performance_views()");
    step(c, "VACUUM ANALYZE", "VACUUM ANALYZE");
    System.out.printf(
        Locale.ROOT,
        "loaded %d raw events in %d s%n",
        loaded,
        (System.nanoTime() - started) / 1_000_000_000L);
  }

  private static void printDataSet(Connection c) throws SQLException {
    System.out.println();
    System.out.println("| table | rows |");
    System.out.println("|---|---:|");
    for (String t :
        List.of(
            "task_rollups_hourly",
            "agent_rollups_hourly",
            "integration_rollups_hourly",
            "tasks",
            "agent_tasks",
            "integration_events",
            "mv_daily_task_summary",
            "mv_agent_performance_summary")) {
      System.out.printf(Locale.ROOT, "| %s | %,d |%n", t, count(c, "SELECT count(*) FROM " + t));
    }
  }

  /** Heap (with TOAST) and index size of each table, partitions summed into their parent. */
  private static void printSizes(Connection c) throws SQLException {
    System.out.println();
    System.out.println("| table | data MB | indexes MB | indexes / data |");
    System.out.println("|---|---:|---:|---:|");
    String sql =
        "SELECT t, sum(pg_table_size(r)) AS data, sum(pg_indexes_size(r)) AS idx FROM ("
            + " SELECT c.relname AS t, coalesce(p.relid, c.oid) AS r FROM pg_class c"
            + " LEFT JOIN LATERAL pg_partition_tree(c.oid) p ON c.relkind = 'p'"
            + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')"
            + " AND NOT c.relispartition AND (c.relkind <> 'p' OR p.isleaf)) s"
            + " GROUP BY t ORDER BY sum(pg_table_size(r)) DESC";
    long data = 0;
    long idx = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        long d = rs.getLong("data");
        long i = rs.getLong("idx");
        data += d;
        idx += i;
        if (d + i > 1_048_576L) {
          System.out.printf(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %.2f |%n",
              rs.getString("t"),
              d / 1_048_576.0,
              i / 1_048_576.0,
              d == 0 ? 0 : (double) i / d);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "| all tables | %.1f | %.1f | %.2f |%n",
        data / 1_048_576.0,
        idx / 1_048_576.0,
        (double) idx / data);
  }

  private static void step(Connection c, String what, String... statements) throws SQLException {
    long t = System.nanoTime();
    for (String sql : statements) {
      exec(c, sql);
    }
    System.out.printf(Locale.ROOT, "loaded %s in %.1f s%n", what, (System.nanoTime() - t) / 1e9);
  }

  private static String org(int i) {
    return md5Uuid("org-" + i);
  }

  /** The UUID PostgreSQL's md5(text)::uuid gives. */
  private static String md5Uuid(String s) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("MD5")
              .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : d) {
        hex.append(String.format(Locale.ROOT, "%02x", b));
      }
      return hex.substring(0, 8)
          + "-"
          + hex.substring(8, 12)
          + "-"
          + hex.substring(12, 16)
          + "-"
          + hex.substring(16, 20)
          + "-"
          + hex.substring(20);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection connect(String url, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(url, p);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
