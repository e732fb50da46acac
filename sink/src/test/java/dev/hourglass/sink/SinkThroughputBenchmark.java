package dev.hourglass.sink;

import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.rollups.TaskRollup;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Not a test: measures the sink against COPY of the same rows into the same table in the same run
 * (R_sink), the write method against the alternative (COPY into a staging table, then one INSERT
 * ... SELECT ... ON CONFLICT), and upsert against plain insert at 0, 50 and 100% conflicts. See
 * BENCHMARKS.md for the command and the figures.
 *
 * <p>Arguments: rows (default 100000), runs per figure (default 3).
 */
public final class SinkThroughputBenchmark {
  private static final int BATCH = 5000;
  private static final String COLUMNS =
      "organization_id, project_id, window_start, window_end, event_count, created_count,"
          + " assigned_count, started_count, completed_count, failed_count, cancelled_count,"
          + " estimated_hours_sum, actual_hours_sum, actual_hours_count, duration_histogram,"
          + " revision, late_event_count, is_final";

  private SinkThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary());
        EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      pg.createDatabase("bench");
      TestDatabase db =
          new TestDatabase("bench", pg.jdbcUrl("bench"), EmbeddedPostgres.SUPERUSER, "");
      Fixtures.migrate(db);
      List<SinkRecord> rows = rows(n, 1, 0);
      List<SinkRecord> newer = rows(n, 2, 0);
      List<String> report = new ArrayList<>();
      report.add("rows: " + n + ", batches of " + BATCH + ", median of " + runs + " runs");

      // Interleaved, run by run, so that every method meets the same share of a noisy machine.
      double[][] t = new double[9][runs];
      for (int i = 0; i < runs; i++) {
        t[0][i] = timeCopy(db, rows);
        t[1][i] = timeBatches(db, rows, null, false);
        t[2][i] = timeStaging(db, rows);
        t[3][i] = timeBatches(db, rows, null, true);
        for (int j = 0; j < 3; j++) {
          t[4 + j][i] = timeBatches(db, newer, rows.subList(0, n * j / 2), false);
        }
        t[7][i] = n / sinkRate(kafka, db, n, "bench" + i + ".");
        t[8][i] = timeDecode(rows);
      }
      double copy = median(t[0]);
      double unnest = median(t[1]);
      double staging = median(t[2]);
      double insert = median(t[3]);
      report.add(String.format("COPY FROM STDIN (reference)          %,10.0f rows/s", n / copy));
      report.add(
          String.format(
              "unnest upsert (the sink's method)     %,10.0f rows/s  %.2f of COPY",
              n / unnest, copy / unnest));
      report.add(
          String.format(
              "COPY to staging + INSERT ON CONFLICT  %,10.0f rows/s  %.2f of COPY",
              n / staging, copy / staging));
      report.add(String.format("plain INSERT, 0%% conflicts           %,10.0f rows/s", n / insert));
      for (int j = 0; j < 3; j++) {
        double upsert = median(t[4 + j]);
        report.add(
            String.format(
                "upsert, %3d%% conflicts                %,10.0f rows/s  %.2f of plain INSERT",
                j * 50, n / upsert, insert / upsert));
      }
      double sink = median(t[7]);
      report.add(
          String.format(
              "sink end to end (Kafka -> PostgreSQL) %,10.0f rows/s  R_sink = %.2f",
              n / sink, copy / sink));
      report.add(
          String.format("decoding alone (bytes -> records)     %,10.0f rows/s", n / median(t[8])));
      String[] names = {
        "COPY",
        "unnest upsert",
        "staging",
        "plain INSERT",
        "upsert 0%",
        "upsert 50%",
        "upsert 100%",
        "sink",
        "decode"
      };
      for (int k = 0; k < t.length; k++) {
        report.add(String.format("  seconds per run, %-13s %s", names[k], Arrays.toString(t[k])));
      }
      System.out.println(String.join("\n", report));
    }
  }

  private static double median(double[] seconds) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** The sink's decoder over the encoded records: its share of the end-to-end time. */
  private static double timeDecode(List<SinkRecord> rows) {
    List<byte[]> encoded = new ArrayList<>(rows.size());
    rows.forEach(r -> encoded.add(Fixtures.FORMAT.encode((TaskRollup) r.payload())));
    RecordDecoder decoder =
        new RecordDecoder(new SinkTopics("bench."), java.time.Clock.systemUTC());
    long t0 = System.nanoTime();
    long offset = 0;
    for (byte[] value : encoded) {
      decoder.decode(
          new org.apache.kafka.clients.consumer.ConsumerRecord<>(
              "bench.rollups", 0, offset++, null, value));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** N task rollups of distinct rows (organization, project, hour) with one revision. */
  static List<SinkRecord> rows(int n, long revision, long offsetBase) {
    List<SinkRecord> out = new ArrayList<>(n);
    Instant base = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      String org = new UUID(1, i % 50).toString();
      String project = new UUID(2, (i / 50) % 20).toString();
      Instant start = base.plus(Duration.ofHours(i / 1000));
      TaskRollup r =
          TaskRollup.newBuilder()
              .setOrganizationId(org)
              .setProjectId(project)
              .setWindowStart(start)
              .setWindowEnd(start.plus(Duration.ofHours(1)))
              .setMeasures(RollupData.taskMeasures(1 + i % 40))
              .setRevision(revision)
              .setIsFinal(true)
              .setEmittedAt(start.plus(Duration.ofHours(1)))
              .build();
      out.add(new SinkRecord("bench", 0, offsetBase + i, 0, null, null, r));
    }
    return out;
  }

  private static void reset(TestDatabase db, List<SinkRecord> preload) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE task_rollups_hourly");
      s.execute("SELECT create_monthly_partition('task_rollups_hourly', date '2026-11-01')");
      s.execute("SELECT create_monthly_partition('task_rollups_hourly', date '2026-12-01')");
      s.execute("SELECT create_monthly_partition('task_rollups_hourly', date '2027-01-01')");
      if (preload != null && !preload.isEmpty()) {
        copy(c, preload);
      }
      s.execute("VACUUM ANALYZE task_rollups_hourly");
    }
  }

  private static double timeCopy(TestDatabase db, List<SinkRecord> rows) throws SQLException {
    reset(db, null);
    try (Connection c = db.connect()) {
      long t0 = System.nanoTime();
      copy(c, rows);
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static void copy(Connection c, List<SinkRecord> rows) throws SQLException {
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    try {
      copy.copyIn(
          "COPY task_rollups_hourly (" + COLUMNS + ") FROM STDIN", new StringReader(text(rows)));
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
  }

  private static String text(List<SinkRecord> rows) {
    StringBuilder out = new StringBuilder(rows.size() * 400);
    for (SinkRecord r : rows) {
      TaskRollup t = (TaskRollup) r.payload();
      var m = t.getMeasures();
      out.append(t.getOrganizationId()).append('\t').append(t.getProjectId()).append('\t');
      out.append(t.getWindowStart()).append('\t').append(t.getWindowEnd()).append('\t');
      out.append(m.getEventCount()).append('\t').append(m.getCreatedCount()).append('\t');
      out.append(m.getAssignedCount()).append('\t').append(m.getStartedCount()).append('\t');
      out.append(m.getCompletedCount()).append('\t').append(m.getFailedCount()).append('\t');
      out.append(m.getCancelledCount()).append('\t').append(m.getEstimatedHoursSum()).append('\t');
      out.append(m.getActualHoursSum()).append('\t').append(m.getActualHoursCount()).append('\t');
      out.append(Sql.histogram(m.getDurationHistogram())).append('\t');
      out.append(t.getRevision()).append("\t0\t").append(t.getIsFinal() ? 't' : 'f').append('\n');
    }
    return out.toString();
  }

  /** The sink's writer, batch by batch, one transaction each (no Kafka, no offsets). */
  private static double timeBatches(
      TestDatabase db, List<SinkRecord> rows, List<SinkRecord> preload, boolean plainInsert)
      throws SQLException {
    reset(db, preload);
    String insert = RollupWrites.Table.TASK.rollupSql;
    insert = insert.substring(0, insert.indexOf(" ON CONFLICT"));
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      long t0 = System.nanoTime();
      for (int i = 0; i < rows.size(); i += BATCH) {
        List<SinkRecord> batch = rows.subList(i, Math.min(rows.size(), i + BATCH));
        if (plainInsert) {
          List<TaskRollup> payloads = batch.stream().map(r -> (TaskRollup) r.payload()).toList();
          Sql.execute(c, insert, RollupWrites.rollupRows(RollupWrites.Table.TASK, payloads));
        } else {
          BatchWriter.apply(c, batch);
        }
        c.commit();
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /** The alternative method: COPY into a temporary staging table, one INSERT ... SELECT. */
  private static double timeStaging(TestDatabase db, List<SinkRecord> rows) throws SQLException {
    reset(db, null);
    String sql = RollupWrites.Table.TASK.rollupSql;
    String onConflict = sql.substring(sql.indexOf(" ON CONFLICT"));
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      long t0 = System.nanoTime();
      for (int i = 0; i < rows.size(); i += BATCH) {
        List<SinkRecord> batch = rows.subList(i, Math.min(rows.size(), i + BATCH));
        s.execute(
            "CREATE TEMP TABLE staging (LIKE task_rollups_hourly INCLUDING DEFAULTS) ON COMMIT"
                + " DROP");
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        try {
          copy.copyIn("COPY staging (" + COLUMNS + ") FROM STDIN", new StringReader(text(batch)));
        } catch (java.io.IOException e) {
          throw new SQLException(e);
        }
        s.execute(
            "INSERT INTO task_rollups_hourly AS t ("
                + COLUMNS
                + ", updated_at) SELECT "
                + COLUMNS
                + ", now() FROM staging"
                + onConflict);
        c.commit();
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /**
   * Everything: N records on the rollups topic, the sink started, until it has caught up; rows/s
   * from its first commit (the group join is not write throughput).
   */
  private static double sinkRate(EmbeddedKafka kafka, TestDatabase db, int n, String prefix)
      throws Exception {
    reset(db, null);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String t : Fixtures.TOPICS) {
        topics.add(new NewTopic(prefix + t, 3, (short) 1));
      }
      admin.createTopics(topics).all().get();
    }
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (SinkRecord r : rows(n, 1, 0)) {
        TaskRollup t = (TaskRollup) r.payload();
        producer.send(
            new ProducerRecord<>(
                prefix + "rollups",
                t.getOrganizationId().getBytes(StandardCharsets.UTF_8),
                Fixtures.FORMAT.encode(t)));
      }
      producer.flush();
    }
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", kafka.bootstrapServers());
    s.put("topic.prefix", prefix);
    s.put("jdbc.url", db.jdbcUrl());
    s.put("jdbc.user", db.user());
    s.put("jdbc.password", db.password());
    try (SinkApp sink = new SinkApp(SinkConfig.from(s))) {
      long t0 = System.nanoTime();
      sink.start();
      long first = 0;
      long firstRecords = 0;
      while (sink.stats().recordsCommitted() < n) {
        long committed = sink.stats().recordsCommitted();
        if (first == 0 && committed > 0) {
          first = System.nanoTime();
          firstRecords = committed;
        }
        Thread.sleep(5);
      }
      long end = System.nanoTime();
      System.out.printf(
          "sink: %,d records in %d batches, %.1f s from start, first commit after %.1f s%n",
          sink.stats().recordsCommitted(),
          sink.stats().batchesCommitted(),
          (end - t0) / 1e9,
          (first - t0) / 1e9);
      if (!sink.caughtUp()) {
        throw new IllegalStateException("sink wrote every record but is not caught up");
      }
      return (n - firstRecords) / ((end - first) / 1e9);
    }
  }
}
