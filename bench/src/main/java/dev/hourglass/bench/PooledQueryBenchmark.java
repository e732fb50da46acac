package dev.hourglass.bench;

import dev.hourglass.bench.QueryBenchmark.Query;
import dev.hourglass.bench.QueryBenchmark.QueryStats;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The analyst queries of {@link QueryBenchmark} through a {@link PgBouncer} in transaction pooling
 * mode, as a dashboard serving many tenants would run them: many client sessions on one login share
 * a few server connections, and every call is one transaction that sets its tenant for that
 * transaction only ({@code set_config('hourglass.organization_id', ..., true)}, i.e. {@code SET
 * LOCAL}), runs the query and commits. The whole transaction is timed, the {@code SELECT 1}
 * reference included, so the reference carries the same setting and commit.
 *
 * <p>Each session waits a think time between its calls, as a person at a dashboard does: a random
 * pause drawn from an exponential distribution of the given mean (also before its first call, so
 * that the sessions' calls arrive as a Poisson stream from the start instead of all at once). N
 * sessions with mean think time Z then offer about N / Z calls per second whatever the pool's size,
 * and the latency measured is that of a call arriving at that rate: queueing appears only when the
 * machine cannot serve the offered rate. A think time of zero is the closed loop (each session
 * calls again as soon as its call returns), which measures a queue as deep as the sessions
 * outnumber the server connections. Both the offered and the achieved rate are reported.
 *
 * <p>The sessions log in as {@link #LOGIN}, a LOGIN member of {@code hourglass_analyst} created for
 * the run (row-level security applies to it as to any analyst; no {@code SET ROLE}, which a
 * transaction pooler would leak), granted the loaded organizations, and dropped at the end with its
 * grants. The benchmark's user must be a superuser: PgBouncer's auth file takes the login's SCRAM
 * secret from {@code pg_authid}. A benchmark: it reports, it asserts nothing.
 */
final class PooledQueryBenchmark {
  /** The pooled login, created and dropped by {@link #run}. */
  static final String LOGIN = "hourglass_bench_pooled";

  /**
   * What to measure.
   *
   * @param base the database, the data set (loaded by {@link QueryBenchmark#load}) and, unless
   *     {@code callsPerSession} is set, how long each measure lasts
   * @param sessions client session counts, measured in turn, each session its own connection to
   *     PgBouncer
   * @param poolSize server connections PgBouncer shares among the sessions
   * @param callsPerSession timed calls per session and measure, without warm-up (tests); 0 measures
   *     for {@code base.perClientCount()} after a warm-up, as {@link QueryBenchmark#run} does
   * @param thinkTime the mean of each session's exponentially distributed pause before each call;
   *     zero for the closed loop
   */
  record Options(
      QueryBenchmark.Options base,
      List<Integer> sessions,
      int poolSize,
      int callsPerSession,
      Duration thinkTime) {
    Options {
      List<String> problems = new ArrayList<>();
      if (sessions == null
          || sessions.isEmpty()
          || sessions.stream().anyMatch(n -> n == null || n < 1)) {
        problems.add(
            "Invalid value " + sessions + " for configuration sessions: must be counts >= 1");
      }
      if (poolSize < 1) {
        problems.add("Invalid value " + poolSize + " for configuration poolSize: must be >= 1");
      }
      if (callsPerSession < 0) {
        problems.add(
            "Invalid value "
                + callsPerSession
                + " for configuration callsPerSession: must not be negative");
      }
      if (thinkTime == null || thinkTime.isNegative()) {
        problems.add(
            "Invalid value " + thinkTime + " for configuration thinkTime: must not be negative");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      sessions = List.copyOf(sessions);
    }

    /** Calls per second {@code sessions} sessions offer; infinite in the closed loop. */
    double offeredPerSecond(int sessions) {
      return thinkTime.isZero() ? Double.POSITIVE_INFINITY : sessions / (thinkTime.toNanos() / 1e9);
    }
  }

  /**
   * The arrival rate of one measure.
   *
   * @param offeredPerSecond sessions / mean think time: the rate the sessions ask for if every call
   *     returned at once; -1 in the closed loop, whose rate is whatever the server gives
   * @param achievedPerSecond timed calls / the measure's length (with {@code callsPerSession}: /
   *     the time from the measure's start to its last call's end)
   */
  record Rate(
      String query,
      int sessions,
      double thinkTimeSeconds,
      double offeredPerSecond,
      double achievedPerSecond) {}

  /**
   * What {@link #run} measured.
   *
   * @param result every query at every session count, the reference first
   * @param calls every call made, warm-up and untimed ones included
   * @param serverTransactions the pooled login's transactions PostgreSQL ran (calls of its
   *     tenant-setting statement in {@code pg_stat_statements}, -1 without the extension): equal to
   *     {@code calls} when every call was one transaction that set its tenant
   * @param serverConnections the pooled login's PostgreSQL connections at the end, all sessions
   *     still open: at most the pool size, however many sessions
   * @param rates the offered and achieved rate of each measure, in the order of {@code result}
   */
  record Outcome(
      QueryBenchmark.Result result,
      long calls,
      long serverTransactions,
      long serverConnections,
      List<Rate> rates) {
    Outcome {
      rates = List.copyOf(rates);
    }
  }

  private PooledQueryBenchmark() {}

  /** Runs every query at each session count in turn; one line per measure to {@code progress}. */
  static Outcome run(Options o, PrintStream progress) {
    QueryBenchmark.Options base = o.base();
    int maxSessions = o.sessions().stream().mapToInt(Integer::intValue).max().orElseThrow();
    List<String> orgs = new ArrayList<>(base.organizations());
    for (int i = 0; i < base.organizations(); i++) {
      orgs.add(QueryBenchmark.organization(i));
    }
    String password = UUID.randomUUID().toString();
    List<Connection> sessions = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(maxSessions);
    String secret;
    try (Connection c = QueryBenchmark.connect(base)) {
      if (!QueryBenchmark.loaded(c)) {
        throw new IllegalStateException(
            "the query benchmark data set is not loaded in " + base.jdbcUrl() + ": run load first");
      }
      QueryBenchmark.checkConnections(c, o.poolSize());
      secret = createLogin(c, password, orgs);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the pooled login: " + e.getMessage(), e);
    }
    try (PgBouncer bouncer =
        PgBouncer.start(base.jdbcUrl(), LOGIN, secret, o.poolSize(), maxSessions)) {
      progress.printf(
          Locale.ROOT,
          "%s in transaction mode: %d server connections for up to %d sessions, %s%n",
          bouncer,
          o.poolSize(),
          maxSessions,
          thinkTime(o, maxSessions));
      for (int i = 0; i < maxSessions; i++) {
        Connection c = connect(bouncer.jdbcUrl(), password);
        c.setAutoCommit(false);
        sessions.add(c);
      }
      LongAdder calls = new LongAdder();
      List<QueryStats> stats = new ArrayList<>();
      List<Rate> rates = new ArrayList<>();
      for (Query q : QueryBenchmark.QUERIES) {
        for (int n : o.sessions()) {
          long started = System.nanoTime();
          QueryStats s = measure(pool, sessions.subList(0, n), q, orgs, o, calls);
          Rate r = rate(o, s, System.nanoTime() - started);
          progress.printf(
              Locale.ROOT,
              "pgbouncer: %s, %d sessions: %d calls, offered %s, achieved %.1f calls/s,"
                  + " p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n",
              s.query(),
              s.clients(),
              s.calls(),
              r.offeredPerSecond() < 0
                  ? "closed loop"
                  : String.format(Locale.ROOT, "%.1f calls/s", r.offeredPerSecond()),
              r.achievedPerSecond(),
              s.p50Ms(),
              s.p95Ms(),
              s.p99Ms(),
              s.maxMs());
          stats.add(s);
          rates.add(r);
        }
      }
      try (Connection c = QueryBenchmark.connect(base)) {
        return new Outcome(
            new QueryBenchmark.Result(stats),
            calls.sum(),
            serverTransactions(c),
            serverConnections(c),
            rates);
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "query benchmark through PgBouncer on " + base.jdbcUrl() + " failed: " + e.getMessage(),
          e);
    } finally {
      pool.shutdownNow();
      for (Connection c : sessions) {
        try {
          c.close();
        } catch (SQLException e) {
          // Closing after the run; the figures stand.
        }
      }
      dropLogin(base);
    }
  }

  /** The think time and what it offers, for the output. */
  static String thinkTime(Options o, int sessions) {
    if (o.thinkTime().isZero()) {
      return "no think time (closed loop: each session calls again as soon as served)";
    }
    return String.format(
        Locale.ROOT,
        "think time exponential, mean %s: %d sessions offer %.1f calls/s",
        o.thinkTime(),
        sessions,
        o.offeredPerSecond(sessions));
  }

  /**
   * The measure's rates. In the timed mode the calls counted are those that started inside the
   * window (think time) or ended inside it (closed loop), so the window is the divisor; with fixed
   * calls, the whole measure's wall time is.
   */
  private static Rate rate(Options o, QueryStats s, long measureNanos) {
    double seconds =
        o.callsPerSession() > 0 ? measureNanos / 1e9 : o.base().perClientCount().toNanos() / 1e9;
    double offered = o.offeredPerSecond(s.clients());
    return new Rate(
        s.query(),
        s.clients(),
        o.thinkTime().toNanos() / 1e9,
        Double.isInfinite(offered) ? -1 : offered,
        s.calls() / seconds);
  }

  /**
   * Creates (or resets the password of) {@link #LOGIN}, grants it {@code orgs}, and returns its
   * SCRAM secret.
   */
  private static String createLogin(Connection c, String password, List<String> orgs)
      throws SQLException {
    boolean exists;
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, LOGIN);
      try (ResultSet rs = ps.executeQuery()) {
        exists = rs.next();
      }
    }
    try (Statement s = c.createStatement()) {
      // The password is a random UUID made here, never data: safe to put in the statement.
      s.execute("SET password_encryption = 'scram-sha-256'");
      s.execute(
          (exists ? "ALTER ROLE " : "CREATE ROLE ") + LOGIN + " LOGIN PASSWORD '" + password + "'");
      s.execute("GRANT hourglass_analyst TO " + LOGIN);
    }
    try (PreparedStatement grant =
        c.prepareStatement(
            "INSERT INTO tenant_grants (login, organization_id)"
                + " SELECT ?, unnest(?::uuid[]) ON CONFLICT DO NOTHING")) {
      grant.setString(1, LOGIN);
      grant.setArray(2, c.createArrayOf("uuid", orgs.toArray()));
      grant.executeUpdate();
    }
    // A login of the same name from an interrupted run may have statements counted already.
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_stat_statements_reset(r.oid, 0, 0) FROM pg_roles r"
                + " WHERE r.rolname = ? AND to_regclass('pg_stat_statements') IS NOT NULL")) {
      ps.setString(1, LOGIN);
      ps.executeQuery().close();
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
      ps.setString(1, LOGIN);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** Grants first: a grant outliving its login would pass to the next role of that name. */
  private static void dropLogin(QueryBenchmark.Options base) {
    try (Connection c = QueryBenchmark.connect(base);
        PreparedStatement ps = c.prepareStatement("DELETE FROM tenant_grants WHERE login = ?");
        Statement s = c.createStatement()) {
      ps.setString(1, LOGIN);
      ps.executeUpdate();
      s.execute("DROP ROLE IF EXISTS " + LOGIN);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop " + LOGIN + ": " + e.getMessage(), e);
    }
  }

  private static QueryStats measure(
      ExecutorService pool,
      List<Connection> sessions,
      Query q,
      List<String> orgs,
      Options o,
      LongAdder calls)
      throws SQLException {
    Duration length = o.base().perClientCount();
    Duration warmUp = o.callsPerSession() > 0 ? Duration.ZERO : length.dividedBy(5);
    if (warmUp.compareTo(QueryBenchmark.MAX_WARM_UP) > 0) {
      warmUp = QueryBenchmark.MAX_WARM_UP;
    }
    long warmUntil = System.nanoTime() + warmUp.toNanos();
    long until = warmUntil + length.toNanos();
    List<Future<Histogram>> futures = new ArrayList<>();
    for (Connection c : sessions) {
      futures.add(
          pool.submit(
              () ->
                  o.thinkTime().isZero()
                      ? session(c, q, orgs, o.callsPerSession(), warmUntil, until, calls)
                      : thinkingSession(
                          c,
                          q,
                          orgs,
                          o.callsPerSession(),
                          o.thinkTime(),
                          warmUntil,
                          until,
                          calls)));
    }
    return QueryBenchmark.stats(q.name(), sessions.size(), futures);
  }

  /**
   * One session's calls, each one transaction (tenant, query, commit); latencies in microseconds.
   * With {@code fixedCalls}, exactly that many, all timed; otherwise as {@link QueryBenchmark}.
   */
  private static Histogram session(
      Connection c,
      Query q,
      List<String> orgs,
      int fixedCalls,
      long warmUntil,
      long until,
      LongAdder calls)
      throws SQLException {
    Histogram h = new Histogram(QueryBenchmark.HIGHEST_MICROS, 3);
    try (PreparedStatement set =
            c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, true)");
        PreparedStatement ps = c.prepareStatement(q.sql())) {
      while (true) {
        long start = System.nanoTime();
        call(c, set, ps, orgs);
        long end = System.nanoTime();
        calls.increment();
        long micros = Math.min((end - start) / 1_000, QueryBenchmark.HIGHEST_MICROS);
        if (fixedCalls > 0) {
          h.recordValue(micros);
          if (h.getTotalCount() == fixedCalls) {
            return h;
          }
          continue;
        }
        if (start > warmUntil && (end <= until || h.getTotalCount() == 0)) {
          h.recordValue(micros);
        }
        if (end > until && h.getTotalCount() > 0) {
          return h;
        }
      }
    }
  }

  /**
   * One timed call: the tenant of a random organization set for this transaction, the query, every
   * row read, the commit.
   */
  private static void call(
      Connection c, PreparedStatement set, PreparedStatement ps, List<String> orgs)
      throws SQLException {
    String org = orgs.get(ThreadLocalRandom.current().nextInt(orgs.size()));
    set.setString(1, org);
    set.executeQuery().close();
    ps.setString(1, org);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
    c.commit();
  }

  /**
   * One session that thinks before each call (see the class comment); latencies in microseconds.
   * With {@code fixedCalls}, exactly that many, all timed. Otherwise every call that starts inside
   * the window [{@code warmUntil}, {@code until}] is timed, however long it takes (a slow call is
   * not dropped for ending late), and the session stops at the first call that would start after
   * the window: a session may time no call in a short window.
   */
  private static Histogram thinkingSession(
      Connection c,
      Query q,
      List<String> orgs,
      int fixedCalls,
      Duration thinkTime,
      long warmUntil,
      long until,
      LongAdder calls)
      throws SQLException, InterruptedException {
    Histogram h = new Histogram(QueryBenchmark.HIGHEST_MICROS, 3);
    double meanNanos = thinkTime.toNanos();
    try (PreparedStatement set =
            c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, true)");
        PreparedStatement ps = c.prepareStatement(q.sql())) {
      while (true) {
        // Exponential: -mean * ln(1 - U), U uniform in [0, 1).
        long pause = (long) (-meanNanos * Math.log(1 - ThreadLocalRandom.current().nextDouble()));
        if (fixedCalls == 0 && System.nanoTime() + pause > until) {
          return h;
        }
        TimeUnit.NANOSECONDS.sleep(pause);
        long start = System.nanoTime();
        call(c, set, ps, orgs);
        long end = System.nanoTime();
        calls.increment();
        if (fixedCalls > 0 || start >= warmUntil) {
          h.recordValue(Math.min((end - start) / 1_000, QueryBenchmark.HIGHEST_MICROS));
        }
        if (fixedCalls > 0 && h.getTotalCount() == fixedCalls) {
          return h;
        }
      }
    }
  }

  /** Calls of the tenant-setting statement by {@link #LOGIN} in this database, or -1. */
  private static long serverTransactions(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('pg_stat_statements') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return -1;
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s"
                + " JOIN pg_roles r ON r.oid = s.userid"
                + " JOIN pg_database d ON d.oid = s.dbid AND d.datname = current_database()"
                + " WHERE r.rolname = ? AND s.query LIKE '%set_config%'")) {
      ps.setString(1, LOGIN);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long serverConnections(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity"
                + " WHERE usename = ? AND datname = current_database()")) {
      ps.setString(1, LOGIN);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Connection connect(String url, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", LOGIN);
    p.setProperty("password", password);
    p.setProperty("ApplicationName", "hourglass-bench-query-pooled");
    return DriverManager.getConnection(url, p);
  }
}
