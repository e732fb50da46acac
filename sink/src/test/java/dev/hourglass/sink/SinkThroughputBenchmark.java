package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.postgresql.PGConnection;

/**
 * Not a test: the sink's write method against {@code COPY ... FROM STDIN} of the same rows into the
 * same table, on an embedded PostgreSQL, without Kafka: the sink's statements alone ({@link
 * BatchWriter#apply} per batch of {@value #BATCH}, one transaction each), COPY into a staging table
 * then one INSERT ... SELECT ... ON CONFLICT, upsert against plain insert at 0, 50 and 100%
 * conflicts, and decoding alone. These reach the module's own code, so they live in its test code;
 * the sink end to end against COPY (R_sink) is {@code hourglass bench sink}. See BENCHMARKS.md for
 * the command and the figures.
 *
 * <p>Arguments: rows (default 100000), runs (default 3). One warm-up run is not counted; the
 * methods run one after the other in every run, with {@code task_rollups_hourly} reset before each;
 * medians are reported.
 */
public final class SinkThroughputBenchmark {
  /** Rows per transaction of the writer alone: the sink's default {@code sink.batch.size}. */
  static final int BATCH = 5000;

  private static final String TABLE = "task_rollups_hourly";
  private static final String COLUMNS =
      "organization_id, project_id, window_start, window_end, event_count, created_count,"
          + " assigned_count, started_count, completed_count, failed_count, cancelled_count,"
          + " estimated_hours_sum, actual_hours_sum, actual_hours_count, duration_histogram,"
          + " revision, late_event_count, is_final";

  private SinkThroughputBenchmark() {}

  /** Times one method on a connection (auto-commit on), resetting the table first; seconds. */
  private interface Timed {
    double seconds(Connection c) throws SQLException;
  }

  /** The statements of one batch, in the batch's transaction. */
  private interface BatchStatements {
    void apply(Connection c, List<SinkRecord> batch) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<SinkRecord> rows = rows(n, 1);
    List<SinkRecord> newer = rows(n, 2);
    Map<String, Timed> methods = new LinkedHashMap<>();
    methods.put(
        "COPY FROM STDIN (reference)",
        c -> {
          reset(c, List.of());
          long t0 = System.nanoTime();
          copy(c, TABLE, rows);
          return (System.nanoTime() - t0) / 1e9;
        });
    methods.put(
        "unnest upsert (the sink's writer)",
        c -> {
          reset(c, List.of());
          return batchSeconds(c, rows, BatchWriter::apply);
        });
    methods.put("COPY to staging + INSERT ON CONFLICT", c -> stagingSeconds(c, rows));
    methods.put(
        "plain INSERT, 0% conflicts",
        c -> {
          reset(c, List.of());
          return batchSeconds(c, rows, SinkThroughputBenchmark::plainInsert);
        });
    for (int conflicts = 0; conflicts <= 100; conflicts += 50) {
      int share = conflicts;
      methods.put(
          String.format(Locale.ROOT, "upsert, %d%% conflicts", share),
          c -> {
            // Newer revisions over a share of older rows: every conflict is an UPDATE.
            reset(c, rows.subList(0, n * share / 100));
            return batchSeconds(c, newer, BatchWriter::apply);
          });
    }
    methods.put("decoding alone (bytes -> records)", c -> decodeSeconds(rows));

    Map<String, double[]> seconds = new LinkedHashMap<>();
    methods.keySet().forEach(m -> seconds.put(m, new double[runs]));
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary())) {
      pg.createDatabase("bench");
      TestDatabase db =
          new TestDatabase(
              "bench", pg.jdbcUrl("bench"), EmbeddedPostgres.SUPERUSER, pg.superuserPassword());
      Fixtures.migrate(db);
      try (Connection c = db.connect()) {
        for (int r = 0; r <= runs; r++) {
          String label = r == 0 ? "warm-up" : "run " + r + "/" + runs;
          for (Map.Entry<String, Timed> m : methods.entrySet()) {
            double s = m.getValue().seconds(c);
            System.out.printf(Locale.ROOT, "%-9s %-38s %,12.0f rows/s%n", label, m.getKey(), n / s);
            if (r > 0) {
              seconds.get(m.getKey())[r - 1] = s;
            }
          }
        }
      }
    }
    double copy = n / median(seconds.get("COPY FROM STDIN (reference)"));
    double insert = n / median(seconds.get("plain INSERT, 0% conflicts"));
    System.out.printf(Locale.ROOT, "rows: %d, median of %d runs%n", n, runs);
    for (Map.Entry<String, double[]> m : seconds.entrySet()) {
      double rate = n / median(m.getValue());
      String ratio =
          m.getKey().startsWith("upsert")
              ? String.format(Locale.ROOT, "%.2f of plain INSERT", rate / insert)
              : String.format(Locale.ROOT, "%.2f of COPY", rate / copy);
      System.out.printf(Locale.ROOT, "%-38s %,10.0f rows/s  %s%n", m.getKey(), rate, ratio);
    }
  }

  /**
   * N task rollups of distinct rows (organization, project, hour) with one revision, as the sink
   * decodes them (offsets 0 to N - 1 of one partition).
   */
  static List<SinkRecord> rows(int n, long revision) {
    List<SinkRecord> out = new ArrayList<>(n);
    Instant base = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      Instant start = base.plus(Duration.ofHours(i / 1000));
      TaskRollup r =
          RollupData.taskRollup(
              new UUID(1, i % 50).toString(),
              new UUID(2, (i / 50) % 20).toString(),
              start,
              RollupData.taskMeasures(1 + i % 40),
              revision,
              true,
              start.plus(Duration.ofHours(1)));
      out.add(new SinkRecord("bench", 0, i, 0, null, null, r));
    }
    return out;
  }

  /**
   * Empties the table, creates the month partitions the rows fall in, loads {@code preload} with
   * COPY, and refreshes statistics. Auto-commit must be on.
   */
  private static void reset(Connection c, List<SinkRecord> preload) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + TABLE);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT create_monthly_partition(?, ?)")) {
      // Every month the generated rows can reach: 5,000,000 rows span 5,000 hours from November.
      LocalDate first = LocalDate.of(2026, 11, 1);
      for (int m = 0; m < 8; m++) {
        ps.setString(1, TABLE);
        ps.setObject(2, first.plusMonths(m));
        ps.execute();
      }
    }
    if (!preload.isEmpty()) {
      copy(c, TABLE, preload);
    }
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE " + TABLE);
    }
  }

  /** COPY FROM STDIN, text format, the text built here (part of the reference's cost). */
  private static void copy(Connection c, String table, List<SinkRecord> rows) throws SQLException {
    StringBuilder text = new StringBuilder(rows.size() * 400);
    for (SinkRecord r : rows) {
      TaskRollup t = (TaskRollup) r.payload();
      TaskMeasures m = t.getMeasures();
      text.append(t.getOrganizationId()).append('\t').append(t.getProjectId()).append('\t');
      text.append(t.getWindowStart()).append('\t').append(t.getWindowEnd()).append('\t');
      text.append(m.getEventCount()).append('\t').append(m.getCreatedCount()).append('\t');
      text.append(m.getAssignedCount()).append('\t').append(m.getStartedCount()).append('\t');
      text.append(m.getCompletedCount()).append('\t').append(m.getFailedCount()).append('\t');
      text.append(m.getCancelledCount()).append('\t').append(m.getEstimatedHoursSum()).append('\t');
      text.append(m.getActualHoursSum()).append('\t').append(m.getActualHoursCount()).append('\t');
      text.append(Sql.histogram(m.getDurationHistogram())).append('\t');
      text.append(t.getRevision()).append("\t0\t").append(t.getIsFinal() ? 't' : 'f').append('\n');
    }
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY " + table + " (" + COLUMNS + ") FROM STDIN", new StringReader(text.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), e);
    }
  }

  /** {@code statements} per batch of {@value #BATCH} rows, one transaction each. */
  private static double batchSeconds(
      Connection c, List<SinkRecord> rows, BatchStatements statements) throws SQLException {
    c.setAutoCommit(false);
    try {
      long t0 = System.nanoTime();
      for (int i = 0; i < rows.size(); i += BATCH) {
        statements.apply(c, rows.subList(i, Math.min(rows.size(), i + BATCH)));
        c.commit();
      }
      return (System.nanoTime() - t0) / 1e9;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The rollup statement without its ON CONFLICT clause, into an empty table. */
  private static void plainInsert(Connection c, List<SinkRecord> batch) throws SQLException {
    String insert = RollupWrites.Table.of(Family.TASK).rollupSql;
    insert = insert.substring(0, insert.indexOf(" ON CONFLICT"));
    List<TaskRollup> payloads = batch.stream().map(r -> (TaskRollup) r.payload()).toList();
    Sql.execute(c, insert, RollupWrites.rollupRows(RollupWrites.Table.of(Family.TASK), payloads));
  }

  /** The alternative method: COPY into a temporary staging table, one INSERT ... SELECT. */
  private static double stagingSeconds(Connection c, List<SinkRecord> rows) throws SQLException {
    reset(c, List.of());
    String sql = RollupWrites.Table.of(Family.TASK).rollupSql;
    String onConflict = sql.substring(sql.indexOf(" ON CONFLICT"));
    return batchSeconds(
        c,
        rows,
        (tx, batch) -> {
          try (Statement s = tx.createStatement()) {
            s.execute(
                "CREATE TEMP TABLE staging (LIKE task_rollups_hourly INCLUDING DEFAULTS) ON COMMIT"
                    + " DROP");
            copy(tx, "staging", batch);
            s.execute(
                "INSERT INTO task_rollups_hourly AS t ("
                    + COLUMNS
                    + ", updated_at) SELECT "
                    + COLUMNS
                    + ", now() FROM staging"
                    + onConflict);
          }
        });
  }

  /** The sink's decoder over the encoded records: its share of the end-to-end time. */
  private static double decodeSeconds(List<SinkRecord> rows) {
    List<byte[]> encoded = new ArrayList<>(rows.size());
    rows.forEach(r -> encoded.add(Fixtures.FORMAT.encode((TaskRollup) r.payload())));
    RecordDecoder decoder = new RecordDecoder(Topics.withPrefix("bench."), Clock.systemUTC());
    long t0 = System.nanoTime();
    long offset = 0;
    for (byte[] value : encoded) {
      decoder.decode(new ConsumerRecord<>("bench.rollups", 0, offset++, null, value));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
