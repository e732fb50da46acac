package dev.hourglass.bench;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.Migrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * {@link QueryBenchmark} on an embedded PostgreSQL 18 of its own, without the pipeline (a
 * benchmark, not a test: it reports, it asserts nothing). Not run by the build; the command and the
 * figures are in schema-sql/BENCHMARKS.md.
 *
 * <p>Starts the server on a persistent directory ({@code -Dbench.dir}, default {@code
 * $TMPDIR/hourglass-bench}), migrates it, loads the data set once ({@code -Dbench.rawEvents},
 * default 10,000,000), measures each query for {@code -Dbench.seconds} (default 10) at 1, 8 and 32
 * clients and prints the figures, then the table and index sizes, as Markdown.
 */
final class AnalystQueryBenchmark {
  private AnalystQueryBenchmark() {}

  public static void main(String[] args) throws SQLException {
    Path dir =
        Path.of(
            System.getProperty(
                "bench.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "hourglass-bench").toString()));
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
              1_000,
              30,
              Long.getLong("bench.rawEvents", 10_000_000L),
              Duration.ofSeconds(Integer.getInteger("bench.seconds", 10)),
              List.of(1, 8, 32));
      QueryBenchmark.LoadResult loaded = QueryBenchmark.load(o, System.out);
      System.out.println(loaded);
      QueryBenchmark.Result result = QueryBenchmark.run(o, System.out);
      System.out.println();
      System.out.print(result.toMarkdown());
      printSizes(url, pg.superuserPassword());
    }
  }

  /** Heap (with TOAST) and index size of each table, partitions summed into their parent. */
  private static void printSizes(String url, String password) throws SQLException {
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
    Properties p = new Properties();
    p.setProperty("user", EmbeddedPostgres.SUPERUSER);
    p.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(url, p);
        Statement s = c.createStatement();
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
}
