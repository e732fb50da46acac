package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.rollups.TaskRollup;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Not a test: {@link SinkBenchmark} (COPY, the writer alone, the sink end to end: R_sink) on an
 * embedded PostgreSQL and Kafka broker, plus figures that only the write method's choice needs,
 * timed in the same runs: COPY into a staging table then one INSERT ... SELECT ... ON CONFLICT,
 * upsert against plain insert at 0, 50 and 100% conflicts, and decoding alone. See BENCHMARKS.md
 * for the command and the figures.
 *
 * <p>Arguments: rows (default 100000), runs (default 3), then {@code --core} for the figures of
 * {@link SinkBenchmark} alone, and any {@code key=value} sink settings applied on top of the
 * defaults in the end-to-end runs (e.g. {@code sink.batch.size=10000}).
 */
public final class SinkThroughputBenchmark {
  private SinkThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, String> sinkSettings = new LinkedHashMap<>();
    boolean core = false;
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--core")) {
        core = true;
      } else {
        String[] kv = args[i].split("=", 2);
        sinkSettings.put(kv[0], kv[1]);
      }
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary());
        EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      pg.createDatabase("bench");
      TestDatabase db =
          new TestDatabase("bench", pg.jdbcUrl("bench"), EmbeddedPostgres.SUPERUSER, "");
      Fixtures.migrate(db);
      SinkBenchmark.Options options =
          new SinkBenchmark.Options(
              kafka.bootstrapServers(), db.jdbcUrl(), db.user(), db.password(), n, runs, "bench.");
      if (core) {
        SinkBenchmark.run(options, System.out, sinkSettings, List.of());
        return;
      }
      List<SinkRecord> older = SinkBenchmark.rows(n, 1);
      List<SinkBenchmark.Extra> extras = new ArrayList<>();
      extras.add(new SinkBenchmark.Extra("staging", SinkThroughputBenchmark::stagingSeconds));
      extras.add(
          new SinkBenchmark.Extra(
              "plain INSERT",
              (c, rows) -> {
                SinkBenchmark.reset(c, List.of());
                return SinkBenchmark.batchSeconds(c, rows, SinkThroughputBenchmark::plainInsert);
              }));
      for (int j = 0; j < 3; j++) {
        int conflicts = j * 50;
        extras.add(
            new SinkBenchmark.Extra(
                "upsert " + conflicts + "%",
                (c, rows) -> {
                  // Newer revisions over a share of older rows: every conflict is an UPDATE.
                  SinkBenchmark.reset(c, older.subList(0, n * conflicts / 100));
                  return SinkBenchmark.batchSeconds(
                      c, SinkBenchmark.rows(n, 2), BatchWriter::apply);
                }));
      }
      extras.add(new SinkBenchmark.Extra("decode", (c, rows) -> decodeSeconds(rows)));

      SinkBenchmark.Result result =
          SinkBenchmark.run(
              new SinkBenchmark.Options(
                  kafka.bootstrapServers(),
                  db.jdbcUrl(),
                  db.user(),
                  db.password(),
                  n,
                  runs,
                  "bench."),
              System.out,
              sinkSettings,
              extras);

      double copy = result.medianCopyRowsPerSecond();
      double insert = n / SinkBenchmark.median(seconds(extras.get(1)));
      List<String> report = new ArrayList<>();
      report.add("rows: " + n + ", median of " + runs + " runs, sink settings " + sinkSettings);
      report.add(String.format("COPY FROM STDIN (reference)          %,10.0f rows/s", copy));
      report.add(
          String.format(
              "unnest upsert (the sink's writer)     %,10.0f rows/s  %.2f of COPY",
              result.medianWriterRowsPerSecond(), result.rWriter()));
      double staging = n / SinkBenchmark.median(seconds(extras.get(0)));
      report.add(
          String.format(
              "COPY to staging + INSERT ON CONFLICT  %,10.0f rows/s  %.2f of COPY",
              staging, staging / copy));
      report.add(String.format("plain INSERT, 0%% conflicts           %,10.0f rows/s", insert));
      for (int j = 0; j < 3; j++) {
        double upsert = n / SinkBenchmark.median(seconds(extras.get(2 + j)));
        report.add(
            String.format(
                "upsert, %3d%% conflicts                %,10.0f rows/s  %.2f of plain INSERT",
                j * 50, upsert, upsert / insert));
      }
      report.add(
          String.format(
              "sink end to end (Kafka -> PostgreSQL) %,10.0f rows/s  R_sink = %.2f",
              result.medianSinkRowsPerSecond(), result.rSink()));
      report.add(
          String.format(
              "decoding alone (bytes -> records)     %,10.0f rows/s",
              n / SinkBenchmark.median(seconds(extras.get(5)))));
      for (SinkBenchmark.Run run : result.runs()) {
        report.add(
            String.format(
                "  run: COPY %,.0f, writer %,.0f, sink %,.0f rows/s (%.2f of COPY); sink samples %s",
                run.copyRowsPerSecond(),
                run.writerRowsPerSecond(),
                run.sinkRowsPerSecond(),
                run.sinkRowsPerSecond() / run.copyRowsPerSecond(),
                run.sinkSamples()));
      }
      System.out.println(String.join("\n", report));
    }
  }

  private static double[] seconds(SinkBenchmark.Extra extra) {
    return extra.seconds.stream().mapToDouble(Double::doubleValue).toArray();
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
    SinkBenchmark.reset(c, List.of());
    String sql = RollupWrites.Table.of(Family.TASK).rollupSql;
    String onConflict = sql.substring(sql.indexOf(" ON CONFLICT"));
    return SinkBenchmark.batchSeconds(
        c,
        rows,
        (tx, batch) -> {
          try (Statement s = tx.createStatement()) {
            s.execute(
                "CREATE TEMP TABLE staging (LIKE task_rollups_hourly INCLUDING DEFAULTS) ON COMMIT"
                    + " DROP");
            SinkBenchmark.copy(tx, "staging", batch);
            s.execute(
                "INSERT INTO task_rollups_hourly AS t ("
                    + SinkBenchmark.COLUMNS
                    + ", updated_at) SELECT "
                    + SinkBenchmark.COLUMNS
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
}
