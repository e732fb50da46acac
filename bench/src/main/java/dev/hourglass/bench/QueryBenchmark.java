package dev.hourglass.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency of the analyst functions and views with concurrent clients, for the CLI's {@code bench
 * query} (and the by-hand {@code AnalystQueryBenchmark}, see schema-sql/BENCHMARKS.md). A
 * benchmark: it reports, it asserts nothing.
 *
 * <p>{@link #load} writes a data set of its own organizations into the tables the pipeline writes
 * (rollups) and reads (tenants, raw events), so it can run before or beside the pipeline: its
 * organization, project, agent, user and task ids are {@code md5('hourglass-bench-...')} UUIDs that
 * no producer generates, and its rollup hours end one hour before the load, so the sink's rows for
 * the current hour never meet them. The rows do count in whole-table sums such as {@link
 * PipelineTotals}. {@link #run} then reads them as an analyst: each client has one connection that
 * runs {@code SET ROLE hourglass_analyst} (row-level security on), and each call picks a random
 * loaded organization, sets {@code hourglass.organization_id} (not timed) and runs one query
 * (timed, fetching every row).
 *
 * <p>The user must be able to write the tables (a superuser or a member of {@code hourglass_owner})
 * and to {@code SET ROLE hourglass_analyst} (a superuser, or a member of it); {@link #run} grants
 * its login the loaded organizations in {@code tenant_grants}. The schema must be migrated.
 */
public final class QueryBenchmark {
  /** Connections left free for the pipeline (the sink's pool, watchers) while the clients run. */
  static final int SPARE_CONNECTIONS = 10;

  static final long HIGHEST_MICROS = 3_600_000_000L;
  static final Duration MAX_WARM_UP = Duration.ofSeconds(2);
  private static final String ORG = "hourglass-bench-org-";

  /**
   * What to load and how to measure.
   *
   * @param jdbcUrl the database, migrated
   * @param user a user that may write the tables and {@code SET ROLE hourglass_analyst}
   * @param password its password ({@code <masked>} in {@link #toString()})
   * @param organizations organizations loaded, each with one project, agent and integration type
   * @param days days of hourly rollups per organization and table (24 per day)
   * @param rawEvents raw rows: a tenth each in {@code tasks} and {@code agent_tasks}, the rest in
   *     {@code integration_events}
   * @param perClientCount how long each query is measured at each client count, after a warm-up of
   *     a fifth of it (at most 2 s)
   * @param clients the client counts, each measured in turn (connections held: the largest)
   */
  public record Options(
      String jdbcUrl,
      String user,
      String password,
      int organizations,
      int days,
      long rawEvents,
      Duration perClientCount,
      List<Integer> clients) {
    public Options {
      List<String> problems = new ArrayList<>();
      if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
        problems.add(invalid(jdbcUrl, "jdbcUrl", "must start with jdbc:postgresql:"));
      }
      if (user == null || user.isBlank()) {
        problems.add(invalid(user, "user", "must not be blank"));
      }
      if (organizations < 1) {
        problems.add(invalid(organizations, "organizations", "must be at least 1"));
      }
      if (days < 1) {
        problems.add(invalid(days, "days", "must be at least 1"));
      }
      if (rawEvents < 0) {
        problems.add(invalid(rawEvents, "rawEvents", "must not be negative"));
      }
      if (perClientCount == null || perClientCount.toMillis() < 1) {
        problems.add(invalid(perClientCount, "perClientCount", "must be at least 1 ms"));
      }
      if (clients == null
          || clients.isEmpty()
          || clients.stream().anyMatch(n -> n == null || n < 1)) {
        problems.add(invalid(clients, "clients", "must be a non-empty list of counts >= 1"));
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      password = password == null ? "" : password;
      clients = List.copyOf(clients);
    }

    /** 1,000 organizations, 30 days, {@code rawEvents} raw rows, 10 s per measure, 1/8/32. */
    public static Options defaults(String jdbcUrl, String user, String password, long rawEvents) {
      return new Options(
          jdbcUrl, user, password, 1_000, 30, rawEvents, Duration.ofSeconds(10), List.of(1, 8, 32));
    }

    @Override
    public String toString() {
      return "Options[jdbcUrl="
          + jdbcUrl
          + ", user="
          + user
          + ", password=<masked>, organizations="
          + organizations
          + ", days="
          + days
          + ", rawEvents="
          + rawEvents
          + ", perClientCount="
          + perClientCount
          + ", clients="
          + clients
          + "]";
    }

    private static String invalid(Object value, String key, String why) {
      return "Invalid value " + value + " for configuration " + key + ": " + why;
    }
  }

  /**
   * What {@link #load} did.
   *
   * @param alreadyLoaded the data set was there (nothing loaded, figures 0)
   * @param rollupRows rows written into the three rollup tables together
   * @param rawEvents rows written into tasks, agent_tasks and integration_events together
   * @param took the whole load, including materialized view refresh and VACUUM ANALYZE
   */
  public record LoadResult(boolean alreadyLoaded, long rollupRows, long rawEvents, Duration took) {}

  /** One bucket of a latency distribution: {@code count} calls took at most {@code latencyMs}. */
  public record Point(double latencyMs, long count) {}

  /**
   * One query at one client count. Latencies in milliseconds, to HdrHistogram's 3 significant
   * digits.
   *
   * @param calls measured calls, all clients together
   * @param loadAverage the machine's 1-minute load average at the end of the measure (-1 when the
   *     JVM cannot tell)
   * @param distribution calls per latency bucket, buckets growing by 20 % from 10 µs up to the
   *     maximum, for charting
   */
  public record QueryStats(
      String query,
      int clients,
      long calls,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double maxMs,
      double loadAverage,
      List<Point> distribution) {
    public QueryStats {
      distribution = List.copyOf(distribution);
    }
  }

  /** Every query at every client count, in the order measured. */
  public record Result(List<QueryStats> stats) {
    public Result {
      stats = List.copyOf(stats);
    }

    /** The figures as a Markdown table, as in BENCHMARKS.md. */
    public String toMarkdown() {
      StringBuilder s =
          new StringBuilder(
              "| query | clients | calls | p50 ms | p95 ms | p99 ms | max ms | load avg |\n"
                  + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (QueryStats q : stats) {
        s.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.1f |%n",
                q.query(),
                q.clients(),
                q.calls(),
                q.p50Ms(),
                q.p95Ms(),
                q.p99Ms(),
                q.maxMs(),
                q.loadAverage()));
      }
      return s.toString();
    }
  }

  record Query(String name, String sql) {}

  /** Each takes the organization as its one parameter. */
  static final List<Query> QUERIES =
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

  private QueryBenchmark() {}

  /**
   * Loads the data set unless it is there: {@code organizations} organizations (each with one
   * project, agent, integration type and ten users), hourly rollups in the three rollup tables for
   * the {@code days} days ending one hour before now (written hour by hour for all organizations,
   * as the sink writes them), 7 days of hourly {@code system_metrics}, {@code rawEvents} raw rows;
   * then refreshes the materialized views and runs VACUUM ANALYZE on the tables it wrote. All rows
   * go in one transaction, so an interrupted load leaves nothing and the next call starts again;
   * whether the data set is there is decided by its first organization. Every statement is an
   * {@code INSERT ... SELECT} over {@code generate_series}. Progress lines go to {@code progress}.
   */
  public static LoadResult load(Options o, PrintStream progress) {
    Objects.requireNonNull(progress, "progress");
    long started = System.nanoTime();
    try (Connection c = connect(o)) {
      if (loaded(c)) {
        progress.println("query benchmark data set already loaded");
        return new LoadResult(true, 0, 0, Duration.ofNanos(System.nanoTime() - started));
      }
      c.setAutoCommit(false);
      Loader l = new Loader(c, o, progress);
      l.tenants();
      long rollups = l.rollups();
      long raw = l.rawEvents();
      l.step("system_metrics (7 days hourly per organization)", Loader.systemMetrics(o));
      l.step("refresh_performance_views", "SELECT refresh_performance_views()");
      c.commit();
      c.setAutoCommit(true);
      l.step(
          "VACUUM ANALYZE",
          "VACUUM (ANALYZE) organizations, users, projects, codegen_agents, task_rollups_hourly,"
              + " agent_rollups_hourly, integration_rollups_hourly, tasks, agent_tasks,"
              + " integration_events, system_metrics, mv_daily_task_summary,"
              + " mv_agent_performance_summary, mv_system_metrics_hourly");
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      progress.printf(
          Locale.ROOT,
          "loaded %d rollup rows and %d raw events in %d s%n",
          rollups,
          raw,
          took.toSeconds());
      return new LoadResult(false, rollups, raw, took);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot load the query benchmark data set into " + o.jdbcUrl() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Runs every query at each client count in turn for {@code perClientCount} (after the warm-up;
   * each client goes on until it has timed at least one call), on as many connections as the
   * largest client count, held for the whole run. Refuses to start when PostgreSQL has fewer free
   * connections than that plus {@value #SPARE_CONNECTIONS} left for the pipeline. Expects {@link
   * #load} to have run with the same {@code organizations}. One line per measure goes to {@code
   * progress}.
   */
  public static Result run(Options o, PrintStream progress) {
    Objects.requireNonNull(progress, "progress");
    int maxClients = o.clients().stream().mapToInt(Integer::intValue).max().orElseThrow();
    List<String> orgs = new ArrayList<>(o.organizations());
    for (int i = 0; i < o.organizations(); i++) {
      orgs.add(organization(i));
    }
    List<Connection> connections = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(maxClients);
    try {
      try (Connection c = connect(o)) {
        if (!loaded(c)) {
          throw new IllegalStateException(
              "the query benchmark data set is not loaded in " + o.jdbcUrl() + ": run load first");
        }
        checkConnections(c, maxClients);
        // Analyst reads need a grant for the login (V18); SET ROLE keeps the login.
        try (var grant =
            c.prepareStatement(
                "INSERT INTO tenant_grants (login, organization_id)"
                    + " SELECT session_user, unnest(?::uuid[]) ON CONFLICT DO NOTHING")) {
          grant.setArray(1, c.createArrayOf("uuid", orgs.toArray()));
          grant.executeUpdate();
        }
      }
      for (int i = 0; i < maxClients; i++) {
        Connection c = connect(o);
        connections.add(c);
        exec(c, "SET ROLE hourglass_analyst");
      }
      List<QueryStats> stats = new ArrayList<>();
      for (Query q : QUERIES) {
        for (int clients : o.clients()) {
          QueryStats s =
              measure(pool, connections.subList(0, clients), q, orgs, o.perClientCount());
          progress.printf(
              Locale.ROOT,
              "%s, %d clients: %d calls, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n",
              s.query(),
              s.clients(),
              s.calls(),
              s.p50Ms(),
              s.p95Ms(),
              s.p99Ms(),
              s.maxMs());
          stats.add(s);
        }
      }
      return new Result(stats);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "query benchmark on " + o.jdbcUrl() + " failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
      for (Connection c : connections) {
        try {
          c.close();
        } catch (SQLException e) {
          // Closing after the run; the figures stand.
        }
      }
    }
  }

  /** The id of loaded organization {@code i}, as PostgreSQL's {@code md5(text)::uuid} gives it. */
  static String organization(int i) {
    try {
      byte[] d =
          MessageDigest.getInstance("MD5").digest((ORG + i).getBytes(StandardCharsets.UTF_8));
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
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static QueryStats measure(
      ExecutorService pool, List<Connection> clients, Query q, List<String> orgs, Duration length)
      throws SQLException {
    Duration warmUp = length.dividedBy(5);
    if (warmUp.compareTo(MAX_WARM_UP) > 0) {
      warmUp = MAX_WARM_UP;
    }
    long warmUntil = System.nanoTime() + warmUp.toNanos();
    long until = warmUntil + length.toNanos();
    List<Future<Histogram>> futures = new ArrayList<>();
    for (Connection c : clients) {
      futures.add(pool.submit(() -> client(c, q, orgs, warmUntil, until)));
    }
    return stats(q.name(), clients.size(), futures);
  }

  /** The clients' latencies (microseconds) added up into one query's figures. */
  static QueryStats stats(String query, int clients, List<Future<Histogram>> futures)
      throws SQLException {
    Histogram total = new Histogram(HIGHEST_MICROS, 3);
    try {
      for (Future<Histogram> f : futures) {
        total.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring " + query, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException s) {
        throw new SQLException(query + ": " + s.getMessage(), s.getSQLState(), s);
      }
      throw new IllegalStateException(query + ": " + e.getCause(), e.getCause());
    }
    List<Point> distribution = new ArrayList<>();
    if (total.getTotalCount() > 0) {
      for (HistogramIterationValue v : total.logarithmicBucketValues(10, 1.2)) {
        distribution.add(
            new Point(v.getValueIteratedTo() / 1000.0, v.getCountAddedInThisIterationStep()));
      }
    }
    return new QueryStats(
        query,
        clients,
        total.getTotalCount(),
        total.getValueAtPercentile(50) / 1000.0,
        total.getValueAtPercentile(95) / 1000.0,
        total.getValueAtPercentile(99) / 1000.0,
        total.getMaxValue() / 1000.0,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        distribution);
  }

  /** One client's calls; latencies in microseconds. */
  private static Histogram client(
      Connection c, Query q, List<String> orgs, long warmUntil, long until) throws SQLException {
    Histogram h = new Histogram(HIGHEST_MICROS, 3);
    try (PreparedStatement set =
            c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, false)");
        PreparedStatement ps = c.prepareStatement(q.sql())) {
      while (true) {
        String org = orgs.get(ThreadLocalRandom.current().nextInt(orgs.size()));
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
        // Calls that end after the window are not timed, except a client's first: a query slower
        // than the window still gets one figure instead of none.
        if (start > warmUntil && (end <= until || h.getTotalCount() == 0)) {
          h.recordValue(Math.min((end - start) / 1_000, HIGHEST_MICROS));
        }
        if (end > until && h.getTotalCount() > 0) {
          return h;
        }
      }
    }
  }

  static void checkConnections(Connection c, int maxClients) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('max_connections')::int,"
                    + " current_setting('superuser_reserved_connections')::int"
                    + " + coalesce(current_setting('reserved_connections', true)::int, 0),"
                    + " (SELECT count(*) FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend')")) {
      rs.next();
      int max = rs.getInt(1);
      int free = max - rs.getInt(2) - rs.getInt(3);
      if (maxClients + SPARE_CONNECTIONS > free) {
        throw new IllegalArgumentException(
            "Invalid value "
                + maxClients
                + " for configuration clients: needs "
                + maxClients
                + " connections plus "
                + SPARE_CONNECTIONS
                + " spare for the pipeline, but PostgreSQL has "
                + free
                + " free (max_connections "
                + max
                + ")");
      }
    }
  }

  static boolean loaded(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = ?::uuid)")) {
      ps.setString(1, organization(0));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  static Connection connect(Options o) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", o.user());
    p.setProperty("password", o.password());
    p.setProperty("ApplicationName", "hourglass-bench-query");
    return DriverManager.getConnection(o.jdbcUrl(), p);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The load's statements; identifiers and numbers come from code and Options, never from data. */
  private static final class Loader {
    private final Connection c;
    private final Options o;
    private final PrintStream progress;

    Loader(Connection c, Options o, PrintStream progress) {
      this.c = c;
      this.o = o;
      this.progress = progress;
    }

    /** {@code md5('hourglass-bench-<kind>-' || expr)::uuid}, as SQL. */
    static String id(String kind, String expr) {
      return "md5('hourglass-bench-" + kind + "-' || (" + expr + "))::uuid";
    }

    void tenants() throws SQLException {
      int n = o.organizations();
      String orgs = " FROM generate_series(0, " + (n - 1) + ") o";
      step(
          "organizations, projects, users, agents",
          "INSERT INTO organizations (id, name) SELECT "
              + id("org", "o")
              + ", 'bench org ' || o"
              + orgs,
          "INSERT INTO projects (id, organization_id, name) SELECT "
              + id("project", "o")
              + ", "
              + id("org", "o")
              + ", 'bench project ' || o"
              + orgs,
          "INSERT INTO users (id, organization_id, name, email) SELECT "
              + id("user", "g")
              + ", "
              + id("org", "g % " + n)
              + ", 'bench user ' || g, 'bench' || g || '@example.test'"
              + " FROM generate_series(0, "
              + (10 * n - 1)
              + ") g",
          "INSERT INTO codegen_agents (id, organization_id, name, agent_type) SELECT "
              + id("agent", "o")
              + ", "
              + id("org", "o")
              + ", 'bench agent ' || o, 'codegen'"
              + orgs);
    }

    /** Hour by hour (outer loop), every organization within the hour, as the sink writes them. */
    long rollups() throws SQLException {
      // 16 histogram shapes, a few buckets each, reused by hour.
      String shapes =
          "WITH shapes AS MATERIALIZED (SELECT s, (SELECT array_agg(CASE WHEN i BETWEEN 30 + s"
              + " AND 33 + s THEN (i % 5 + 1)::bigint ELSE 0::bigint END ORDER BY i)"
              + " FROM generate_series(1, 128) i) AS h FROM generate_series(0, 15) s) ";
      // One series numbers (hour, organization) pairs hour-major, so rows are written in that
      // order.
      int n = o.organizations();
      int h = o.days() * 24;
      String hours =
          " FROM (SELECT g % "
              + n
              + " AS o, date_trunc('hour', now()) - make_interval(hours => ("
              + h
              + " - g / "
              + n
              + ")::int) AS w FROM generate_series(0, "
              + ((long) h * n - 1)
              + ") g) ow JOIN shapes ON shapes.s = (ow.o + extract(hour FROM ow.w)::int) % 16";
      return step(
              "task_rollups_hourly",
              shapes
                  + "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start,"
                  + " window_end, event_count, created_count, completed_count, failed_count,"
                  + " actual_hours_sum, actual_hours_count, duration_histogram, is_final) SELECT "
                  + id("org", "ow.o")
                  + ", "
                  + id("project", "ow.o")
                  + ", ow.w, ow.w + interval '1 hour', 12, 5, 4, 1, 7.5, 5, shapes.h, true"
                  + hours)
          + step(
              "agent_rollups_hourly",
              shapes
                  + "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type,"
                  + " window_start, window_end, event_count, started_count, completed_count,"
                  + " failed_count, tokens_used_sum, cost_micros_sum, performance_score_sum,"
                  + " performance_score_count, duration_ms_sum, duration_count,"
                  + " duration_histogram, is_final) SELECT "
                  + id("org", "ow.o")
                  + ", "
                  + id("agent", "ow.o")
                  + ", 'codegen', ow.w, ow.w + interval '1 hour', 8, 4, 3, 1, 12000, 250000,"
                  + " 3.2, 4, 48000, 4, shapes.h, true"
                  + hours)
          + step(
              "integration_rollups_hourly",
              shapes
                  + "INSERT INTO integration_rollups_hourly (organization_id, integration_type,"
                  + " window_start, window_end, event_count, success_count, error_count,"
                  + " unprocessed_count, latency_ms_sum, latency_histogram, is_final) SELECT "
                  + id("org", "ow.o")
                  + ", 'github', ow.w, ow.w + interval '1 hour', 10, 9, 1, 0, 1500, shapes.h,"
                  + " true"
                  + hours);
    }

    /** A tenth in tasks, a tenth in agent_tasks, the rest in integration_events, over the days. */
    long rawEvents() throws SQLException {
      int n = o.organizations();
      long tenth = o.rawEvents() / 10;
      double spacing = o.days() * 86_400.0 / Math.max(1, tenth);
      long written = 0;
      if (tenth > 0) {
        written +=
            step(
                "tasks (" + tenth + ", current state)",
                "INSERT INTO tasks (id, organization_id, project_id, title, status, priority,"
                    + " assigned_to, created_at) SELECT "
                    + id("task", "g")
                    + ", "
                    + id("org", "g % " + n)
                    + ", "
                    + id("project", "g % " + n)
                    + ", 'Task ' || g, CASE WHEN g % 50 = 0 THEN 'pending'"
                    + " WHEN g % 50 = 1 THEN 'in_progress' WHEN g % 50 = 2 THEN 'assigned'"
                    + " ELSE 'completed' END, 1 + g % 5, "
                    + id("user", "g % " + (10 * n))
                    + ", now() - make_interval(secs => g * "
                    + spacing
                    + ") FROM generate_series(0, "
                    + (tenth - 1)
                    + ") g");
        written +=
            step(
                "agent_tasks (" + tenth + ")",
                "INSERT INTO agent_tasks (organization_id, agent_id, status, tokens_used,"
                    + " cost_estimate, started_at, completed_at, created_at) SELECT "
                    + id("org", "g % " + n)
                    + ", "
                    + id("agent", "g % " + n)
                    + ", 'completed', 3000, 0.0625, now() - make_interval(secs => g * "
                    + spacing
                    + "), now() - make_interval(secs => g * "
                    + spacing
                    + " - 12), now() - make_interval(secs => g * "
                    + spacing
                    + ") FROM generate_series(0, "
                    + (tenth - 1)
                    + ") g");
      }
      long integration = o.rawEvents() - 2 * tenth;
      long chunk = 1_000_000L;
      for (long from = 0; from < integration; from += chunk) {
        long to = Math.min(integration, from + chunk) - 1;
        written +=
            step(
                "integration_events " + from + ".." + to,
                "INSERT INTO integration_events (organization_id, integration_type, event_type,"
                    + " status, processed, latency_ms, created_at) SELECT "
                    + id("org", "g % " + n)
                    + ", 'github', 'push', 'success', g % 100 <> 0, 150,"
                    + " now() - make_interval(secs => (g % "
                    + (o.days() * 86_400L)
                    + ")::double precision) FROM generate_series("
                    + from
                    + ", "
                    + to
                    + ") g");
      }
      return written;
    }

    static String systemMetrics(Options o) {
      return "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit,"
          + " timestamp) SELECT "
          + id("org", "o")
          + ", 'queue_depth', 'gauge', (o + h) % 50, 'count', date_trunc('hour', now())"
          + " - make_interval(hours => h) + make_interval(mins => (o % 60))"
          + " FROM generate_series(0, "
          + (o.organizations() - 1)
          + ") o, generate_series(1, 168) h";
    }

    /** Runs the statements, prints how long they took; returns the rows they wrote. */
    long step(String what, String... statements) throws SQLException {
      long t = System.nanoTime();
      long rows = 0;
      try (Statement s = c.createStatement()) {
        for (String sql : statements) {
          s.execute(sql);
          rows += Math.max(0, s.getUpdateCount());
        }
      }
      progress.printf(Locale.ROOT, "loaded %s in %.1f s%n", what, (System.nanoTime() - t) / 1e9);
      return rows;
    }
  }
}
