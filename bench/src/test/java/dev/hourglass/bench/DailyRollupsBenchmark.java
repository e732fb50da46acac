package dev.hourglass.bench;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.Migrator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * V29's daily rollups, before and after, on the query benchmark's data set in an embedded
 * PostgreSQL 18 of its own (a benchmark, not a test: it reports, it asserts nothing; not run by the
 * build; the command and figures are in BENCHMARKS.md). Two measures, each alternating its two
 * variants call by call so that both share whatever load the machine carries, reported as medians
 * and p95 with their ratio:
 *
 * <ul>
 *   <li>each of the two analyst functions as V12 wrote it (over the hourly rows, created here as
 *       {@code v12_*}) and as V29 does (over the daily rows), one client, as an analyst (row-level
 *       security on), a random loaded organization per call;
 *   <li>the sink's rollup write (an upsert of the current hour and of an hour already stored for
 *       every organization, into the three rollup tables: half inserts, half updates), with the
 *       daily triggers and with them disabled, each attempt rolled back.
 * </ul>
 *
 * <p>Options: {@code -Dbench.dir} (default {@code $TMPDIR/hourglass-bench-daily}; the data set is
 * loaded once per directory), {@code -Dbench.orgs} (1,000), {@code -Dbench.days} (30), {@code
 * -Dbench.rawEvents} (100,000), {@code -Dbench.calls} (calls per function and variant, 400), {@code
 * -Dbench.writes} (rolled-back writes per variant, 15).
 */
final class DailyRollupsBenchmark {
  private static final String[] TRIGGERS = {
    "rollups_daily_insert", "rollups_daily_update", "rollups_daily_delete"
  };
  private static final String[] TABLES = {
    "task_rollups_hourly", "agent_rollups_hourly", "integration_rollups_hourly"
  };

  private DailyRollupsBenchmark() {}

  public static void main(String[] args) throws SQLException, IOException {
    Path dir =
        Path.of(
            System.getProperty(
                "bench.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "hourglass-bench-daily").toString()));
    int orgs = Integer.getInteger("bench.orgs", 1_000);
    int calls = Integer.getInteger("bench.calls", 400);
    int writes = Integer.getInteger("bench.writes", 15);
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir, 0))) {
      pg.createDatabase("hourglass_bench");
      String url = pg.jdbcUrl("hourglass_bench");
      Migrator.forUrl(url, EmbeddedPostgres.SUPERUSER, pg.superuserPassword()).migrate();
      QueryBenchmark.Options o =
          new QueryBenchmark.Options(
              url,
              EmbeddedPostgres.SUPERUSER,
              pg.superuserPassword(),
              orgs,
              Integer.getInteger("bench.days", 30),
              Long.getLong("bench.rawEvents", 100_000L),
              Duration.ofSeconds(1),
              List.of(1));
      System.out.println(QueryBenchmark.load(o, System.out));
      try (Connection c = QueryBenchmark.connect(o)) {
        createV12Functions(c);
        try (PreparedStatement grant =
            c.prepareStatement(
                "INSERT INTO tenant_grants (login, organization_id)"
                    + " SELECT session_user, unnest(?::uuid[]) ON CONFLICT DO NOTHING")) {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < orgs; i++) {
            ids.add(QueryBenchmark.organization(i));
          }
          grant.setArray(1, c.createArrayOf("uuid", ids.toArray()));
          grant.executeUpdate();
        }
        exec(
            c,
            "VACUUM (ANALYZE) task_rollups_daily, agent_rollups_daily, integration_rollups_daily");
        System.out.printf(Locale.ROOT, "%nload average %s%n", Machine.loadAverage());
        System.out.println("| measure | variant | runs | median ms | p95 ms | median ratio |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        functions(c, orgs, calls);
        writes(c, orgs, writes);
        System.out.printf(Locale.ROOT, "load average %s%n", Machine.loadAverage());
      }
    }
  }

  /** The V12 texts of the two functions, created as {@code v12_<name>}. */
  private static void createV12Functions(Connection c) throws SQLException, IOException {
    String sql;
    try (InputStream in =
        Migrator.class.getResourceAsStream("/db/migration/V12__seed_functions.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m =
        Pattern.compile(
                "CREATE FUNCTION (get_agent_performance_metrics|get_organization_analytics)\\("
                    + "(.*?\\n\\$\\$;)",
                Pattern.DOTALL)
            .matcher(sql);
    while (m.find()) {
      exec(c, "DROP FUNCTION IF EXISTS v12_" + m.group(1));
      exec(c, "CREATE FUNCTION v12_" + m.group(1) + "(" + m.group(2));
      exec(c, "GRANT EXECUTE ON FUNCTION v12_" + m.group(1) + " TO hourglass_analyst");
    }
  }

  private static void functions(Connection c, int orgs, int calls) throws SQLException {
    exec(c, "SET ROLE hourglass_analyst");
    try {
      for (String f : List.of("get_agent_performance_metrics", "get_organization_analytics")) {
        String select =
            f.equals("get_organization_analytics")
                ? "SELECT %s(?::uuid)"
                : "SELECT * FROM %s(?::uuid)";
        try (PreparedStatement set =
                c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, false)");
            PreparedStatement v12 = c.prepareStatement(String.format(select, "v12_" + f));
            PreparedStatement v29 = c.prepareStatement(String.format(select, f))) {
          double[][] ms = new double[2][calls];
          // Warm-up: plans cached, pages in shared buffers, for both.
          for (int i = 0; i < 50; i++) {
            call(set, v12, orgs);
            call(set, v29, orgs);
          }
          for (int i = 0; i < calls; i++) {
            // The order alternates too, so that neither always runs second.
            int first = i % 2;
            ms[first][i] = call(set, first == 0 ? v12 : v29, orgs);
            ms[1 - first][i] = call(set, first == 0 ? v29 : v12, orgs);
          }
          report(f, "V12, hourly rows", "V29, daily rows", ms);
        }
      }
    } finally {
      exec(c, "RESET ROLE");
    }
  }

  /** One call for a random organization; milliseconds, the tenant setting not timed. */
  private static double call(PreparedStatement set, PreparedStatement query, int orgs)
      throws SQLException {
    String org = QueryBenchmark.organization(ThreadLocalRandom.current().nextInt(orgs));
    set.setString(1, org);
    set.executeQuery().close();
    query.setString(1, org);
    long start = System.nanoTime();
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private static void writes(Connection c, int orgs, int rounds) throws SQLException {
    double[][] ms = new double[2][rounds];
    String stored;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(window_start)::text FROM task_rollups_hourly")) {
      rs.next();
      stored = rs.getString(1);
    }
    c.setAutoCommit(false);
    try {
      for (int i = -2; i < rounds; i++) {
        for (int k = 0; k < 2; k++) {
          int variant = (k + Math.max(i, 0)) % 2;
          if (variant == 0) {
            for (String t : TABLES) {
              for (String trigger : TRIGGERS) {
                exec(c, "ALTER TABLE " + t + " DISABLE TRIGGER " + trigger);
              }
            }
          }
          long start = System.nanoTime();
          for (String sql : upserts(orgs, stored)) {
            exec(c, sql);
          }
          double took = (System.nanoTime() - start) / 1e6;
          c.rollback();
          // Two warm-up rounds.
          if (i >= 0) {
            ms[variant][i] = took;
          }
        }
      }
    } finally {
      c.setAutoCommit(true);
    }
    report(
        "rollup write, " + 2 * orgs + " rows x 3 tables",
        "triggers disabled",
        "with the daily triggers",
        ms);
  }

  /**
   * The sink's rollup statements' shape: per table, one upsert of the next hour (new rows) and of
   * the latest loaded hour {@code stored} (stored rows, updated) for every organization.
   */
  private static List<String> upserts(int orgs, String stored) {
    String hours =
        " FROM generate_series(0, "
            + (orgs - 1)
            + ") o, (VALUES ('"
            + stored
            + "'::timestamptz), (date_trunc('hour', now()) + interval '1 hour')) x(w)";
    return List.of(
        "INSERT INTO task_rollups_hourly AS t (organization_id, project_id, window_start,"
            + " window_end, event_count, created_count, completed_count, revision)"
            + " SELECT md5('hourglass-bench-org-' || o)::uuid,"
            + " md5('hourglass-bench-project-' || o)::uuid, w, w + interval '1 hour', 3, 2, 1, 99"
            + hours
            + " ON CONFLICT (organization_id, project_id, window_start) DO UPDATE SET"
            + " event_count = EXCLUDED.event_count, created_count = EXCLUDED.created_count,"
            + " completed_count = EXCLUDED.completed_count, revision = EXCLUDED.revision"
            + " WHERE t.revision < EXCLUDED.revision",
        "INSERT INTO agent_rollups_hourly AS t (organization_id, agent_id, agent_type,"
            + " window_start, window_end, event_count, started_count, completed_count,"
            + " cost_micros_sum, performance_score_sum, performance_score_count, revision)"
            + " SELECT md5('hourglass-bench-org-' || o)::uuid,"
            + " md5('hourglass-bench-agent-' || o)::uuid, 'codegen', w, w + interval '1 hour',"
            + " 3, 2, 1, 5000, 1.5, 2, 99"
            + hours
            + " ON CONFLICT (organization_id, agent_id, window_start) DO UPDATE SET"
            + " event_count = EXCLUDED.event_count, started_count = EXCLUDED.started_count,"
            + " completed_count = EXCLUDED.completed_count,"
            + " cost_micros_sum = EXCLUDED.cost_micros_sum,"
            + " performance_score_sum = EXCLUDED.performance_score_sum,"
            + " performance_score_count = EXCLUDED.performance_score_count,"
            + " revision = EXCLUDED.revision WHERE t.revision < EXCLUDED.revision",
        "INSERT INTO integration_rollups_hourly AS t (organization_id, integration_type,"
            + " window_start, window_end, event_count, success_count, error_count, revision)"
            + " SELECT md5('hourglass-bench-org-' || o)::uuid, 'github', w,"
            + " w + interval '1 hour', 3, 2, 1, 99"
            + hours
            + " ON CONFLICT (organization_id, integration_type, window_start) DO UPDATE SET"
            + " event_count = EXCLUDED.event_count, success_count = EXCLUDED.success_count,"
            + " error_count = EXCLUDED.error_count, revision = EXCLUDED.revision"
            + " WHERE t.revision < EXCLUDED.revision");
  }

  private static void report(String measure, String before, String after, double[][] ms) {
    double[] medians = new double[2];
    for (int v = 0; v < 2; v++) {
      double[] sorted = ms[v].clone();
      Arrays.sort(sorted);
      medians[v] = sorted[sorted.length / 2];
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %d | %.3f | %.3f | %s |%n",
          measure,
          v == 0 ? before : after,
          sorted.length,
          medians[v],
          sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)],
          v == 0 ? "" : String.format(Locale.ROOT, "%.3f", medians[1] / medians[0]));
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
