package dev.hourglass.bench;

import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;

/**
 * R_sink: the sink's rows/s from Kafka into PostgreSQL against {@code COPY ... FROM STDIN} of the
 * same rows into the same table, measured in the same run (see sink/BENCHMARKS.md). {@code
 * hourglass bench sink} calls {@link #run}. It drives the sink through its public API only, as an
 * operator would run it.
 *
 * <p>Each run times, one after the other on a freshly truncated {@code task_rollups_hourly}, with
 * the same N {@code TaskRollup}s (a 128-bucket histogram each, distinct (organization, project,
 * hour) keys):
 *
 * <ol>
 *   <li>COPY: pgjdbc {@code CopyManager}, text format, the row text built in the timed section;
 *   <li>sink: N records on fresh 3-partition topics (produced before the clock starts), a {@link
 *       SinkApp} with default settings, timed from the moment it has every partition it reads
 *       seeked to its stored offset ({@link dev.hourglass.sink.SinkStats#partitionsReady()}: the
 *       group join and the seek are start-up, not write throughput) until it has committed all N;
 *       the table must then hold exactly N rows and the stored offsets equal the end offsets.
 * </ol>
 *
 * <p>A first, warm-up run is not counted. The methods alternate run by run, so that each meets the
 * same share of a noisy machine; medians are reported. The sink's statements alone, without Kafka,
 * are timed by {@code SinkThroughputBenchmark} in the sink module's test code: they are not public.
 *
 * <p>Needs a migrated database that nothing else uses (its {@code task_rollups_hourly} is
 * truncated), a login that owns the schema's tables (TRUNCATE, VACUUM), and a broker on which the
 * benchmark creates topics {@code <topicPrefix>run<i>.<topic>} (and deletes them at the end).
 */
public final class SinkBenchmark {
  static final String TABLE = "task_rollups_hourly";
  static final String COLUMNS =
      "organization_id, project_id, window_start, window_end, event_count, created_count,"
          + " assigned_count, started_count, completed_count, failed_count, cancelled_count,"
          + " estimated_hours_sum, actual_hours_sum, actual_hours_count, duration_histogram,"
          + " revision, late_event_count, is_final";

  private static final long SAMPLE_EVERY_MS = 250;
  private static final int ROLLUP_PARTITIONS = 3;
  private static final Duration SINK_TIMEOUT = Duration.ofMinutes(10);
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  private SinkBenchmark() {}

  /**
   * What to run against what. Every problem is reported at once, each as {@code Invalid value X for
   * configuration Y: why}; {@link #toString()} masks the password.
   *
   * @param bootstrapServers the broker the topics are created on
   * @param jdbcUrl a {@code jdbc:postgresql:} URL of a migrated, otherwise unused database
   * @param user a login that owns the schema's tables
   * @param password its password (may be empty)
   * @param rows rows per method and run, 1 to 5,000,000 (100,000 is the figure quoted)
   * @param runs counted runs after the warm-up run, 1 to 100
   * @param topicPrefix prefix of the benchmark's own topics, e.g. {@code bench.}
   */
  public record Options(
      String bootstrapServers,
      String jdbcUrl,
      String user,
      String password,
      int rows,
      int runs,
      String topicPrefix) {
    public Options {
      List<String> problems = new ArrayList<>();
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        problems.add(invalid(bootstrapServers, "bootstrapServers", "must be set"));
      }
      if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
        problems.add(invalid(jdbcUrl, "jdbcUrl", "must start with jdbc:postgresql:"));
      }
      if (user == null || user.isBlank()) {
        problems.add(invalid(user, "user", "must be set"));
      }
      if (password == null) {
        problems.add(invalid(null, "password", "must be set (may be empty)"));
      }
      if (rows < 1 || rows > 5_000_000) {
        problems.add(invalid(rows, "rows", "must be between 1 and 5000000"));
      }
      if (runs < 1 || runs > 100) {
        problems.add(invalid(runs, "runs", "must be between 1 and 100"));
      }
      if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]+")) {
        problems.add(invalid(topicPrefix, "topicPrefix", "must match [A-Za-z0-9._-]+"));
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("\n", problems));
      }
    }

    @Override
    public String toString() {
      return "Options[bootstrapServers="
          + bootstrapServers
          + ", jdbcUrl="
          + jdbcUrl
          + ", user="
          + user
          + ", password=<masked>, rows="
          + rows
          + ", runs="
          + runs
          + ", topicPrefix="
          + topicPrefix
          + "]";
    }
  }

  /**
   * One point of the sink's progress in a run.
   *
   * @param elapsedMillis since the sink seeked its partitions (the clock's start)
   * @param rowsCommitted records whose rows and offsets were committed by then
   */
  public record Sample(long elapsedMillis, long rowsCommitted) {}

  /**
   * One run's rates, rows per second.
   *
   * @param copyRowsPerSecond COPY FROM STDIN, the reference
   * @param sinkRowsPerSecond the sink, Kafka to PostgreSQL
   * @param sinkSamples the sink's committed rows about every 250 ms, first (0, 0), last at the end
   */
  public record Run(double copyRowsPerSecond, double sinkRowsPerSecond, List<Sample> sinkSamples) {
    public Run {
      sinkSamples = List.copyOf(sinkSamples);
    }
  }

  /**
   * The counted runs (the warm-up run left out) and their medians.
   *
   * @param rows rows per method and run
   * @param runs the counted runs, in order
   */
  public record Result(int rows, List<Run> runs) {
    public Result {
      runs = List.copyOf(runs);
    }

    public double medianCopyRowsPerSecond() {
      return median(runs.stream().mapToDouble(Run::copyRowsPerSecond).toArray());
    }

    public double medianSinkRowsPerSecond() {
      return median(runs.stream().mapToDouble(Run::sinkRowsPerSecond).toArray());
    }

    /** R_sink: median sink rate over median COPY rate. */
    public double rSink() {
      return medianSinkRowsPerSecond() / medianCopyRowsPerSecond();
    }
  }

  /**
   * Runs the warm-up run and {@code options.runs()} counted runs; prints one line per method and
   * run, and the medians, to {@code progress}.
   *
   * @throws IllegalStateException when a step fails (names the step), or the sink does not write
   *     exactly {@code rows} rows
   */
  public static Result run(Options options, PrintStream progress) throws InterruptedException {
    return run(options, progress, Map.of());
  }

  /**
   * {@link #run(Options, PrintStream)} with settings for the sink on top of the defaults (to
   * measure a setting), in the sink's own keys ({@code batch.size}, not {@code sink.batch.size}).
   */
  public static Result run(Options options, PrintStream progress, Map<String, String> sinkSettings)
      throws InterruptedException {
    progress.printf(
        "sink benchmark: %,d rows, 1 warm-up + %d runs, %s%n",
        options.rows(), options.runs(), options);
    List<TaskRollup> rows = rows(options.rows(), 1);
    List<Run> runs = new ArrayList<>();
    List<String> topics = new ArrayList<>();
    // One producer for every run, and the topics deleted only at the end: a broker may still be
    // deleting one run's partitions while the next run's records arrive.
    try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers()));
        KafkaProducer<byte[], byte[]> producer = producer(options)) {
      try {
        for (int i = 0; i <= options.runs(); i++) {
          String label = i == 0 ? "warm-up" : "run " + i + "/" + options.runs();
          Topics runTopics = Topics.withPrefix(options.topicPrefix() + "run" + i + ".");
          createTopics(admin, runTopics);
          topics.addAll(runTopics.names());
          Run run = run(options, progress, label, rows, producer, runTopics, sinkSettings);
          if (i > 0) {
            runs.add(run);
          }
        }
      } finally {
        if (!topics.isEmpty()) {
          await("delete topics " + topics, admin.deleteTopics(topics).all());
        }
      }
    }
    Result result = new Result(options.rows(), runs);
    progress.printf(
        "medians: COPY %,.0f rows/s, sink %,.0f rows/s, R_sink = %.2f%n",
        result.medianCopyRowsPerSecond(), result.medianSinkRowsPerSecond(), result.rSink());
    return result;
  }

  /** COPY, then the sink, on one connection. */
  private static Run run(
      Options options,
      PrintStream progress,
      String label,
      List<TaskRollup> rows,
      KafkaProducer<byte[], byte[]> producer,
      Topics topics,
      Map<String, String> sinkSettings)
      throws InterruptedException {
    try (Connection c = connect(options)) {
      double copy = rate(rows.size(), step("COPY", () -> copySeconds(c, rows)));
      progress.printf("%-9s COPY FROM STDIN %,12.0f rows/s%n", label, copy);
      reset(c);
      produce(producer, topics.rollups().name(), rows);
      SinkRun sink = timeSink(options, rows.size(), topics, sinkSettings, c);
      double sinkRate = rate(rows.size(), sink.seconds());
      progress.printf(
          "%-9s sink end to end %,12.0f rows/s  %.2f of COPY%n", label, sinkRate, sinkRate / copy);
      return new Run(copy, sinkRate, sink.samples());
    } catch (SQLException e) {
      throw new IllegalStateException(
          "sink end to end failed on " + options.jdbcUrl() + ": " + e.getMessage(), e);
    }
  }

  private interface Step {
    double seconds() throws SQLException, InterruptedException;
  }

  private static double step(String name, Step step) throws InterruptedException {
    try {
      return step.seconds();
    } catch (SQLException e) {
      throw new IllegalStateException(name + " failed: " + e.getMessage(), e);
    }
  }

  private static double rate(int rows, double seconds) {
    return rows / seconds;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static Connection connect(Options options) throws SQLException {
    return DriverManager.getConnection(options.jdbcUrl(), options.user(), options.password());
  }

  /** N task rollups of distinct rows (organization, project, hour) with one revision. */
  static List<TaskRollup> rows(int n, long revision) {
    List<TaskRollup> out = new ArrayList<>(n);
    Instant base = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      String org = new UUID(1, i % 50).toString();
      String project = new UUID(2, (i / 50) % 20).toString();
      Instant start = base.plus(Duration.ofHours(i / 1000));
      long events = 1 + i % 40;
      List<Long> histogram = new ArrayList<>(128);
      for (int b = 0; b < 128; b++) {
        histogram.add(b == events % 128 ? events : 0L);
      }
      TaskRollup r =
          TaskRollup.newBuilder()
              .setOrganizationId(org)
              .setProjectId(project)
              .setWindowStart(start)
              .setWindowEnd(start.plus(Duration.ofHours(1)))
              .setMeasures(
                  TaskMeasures.newBuilder()
                      .setEventCount(events)
                      .setCreatedCount(3 * events)
                      .setAssignedCount(0)
                      .setStartedCount(0)
                      .setCompletedCount(0)
                      .setFailedCount(0)
                      .setCancelledCount(0)
                      .setEstimatedHoursSum(events * 0.5)
                      .setActualHoursSum(0)
                      .setActualHoursCount(0)
                      .setDurationHistogram(histogram)
                      .build())
              .setRevision(revision)
              .setIsFinal(true)
              .setEmittedAt(start.plus(Duration.ofHours(1)))
              .build();
      out.add(r);
    }
    return out;
  }

  /**
   * Empties the table (and the benchmark's stored offsets), creates the month partitions the rows
   * fall in, and refreshes statistics. Auto-commit must be on.
   */
  static void reset(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + TABLE);
      s.execute("DELETE FROM sink_offsets WHERE consumer_group LIKE 'hourglass-bench-%'");
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
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE " + TABLE);
    }
  }

  static double copySeconds(Connection c, List<TaskRollup> rows) throws SQLException {
    reset(c);
    long t0 = System.nanoTime();
    copy(c, rows);
    return (System.nanoTime() - t0) / 1e9;
  }

  /** COPY FROM STDIN, text format, the text built here (part of the reference's cost). */
  static void copy(Connection c, List<TaskRollup> rows) throws SQLException {
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY " + TABLE + " (" + COLUMNS + ") FROM STDIN", new StringReader(copyText(rows)));
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), e);
    }
  }

  static String copyText(List<TaskRollup> rows) {
    StringBuilder out = new StringBuilder(rows.size() * 400);
    for (TaskRollup t : rows) {
      TaskMeasures m = t.getMeasures();
      out.append(t.getOrganizationId()).append('\t').append(t.getProjectId()).append('\t');
      out.append(t.getWindowStart()).append('\t').append(t.getWindowEnd()).append('\t');
      out.append(m.getEventCount()).append('\t').append(m.getCreatedCount()).append('\t');
      out.append(m.getAssignedCount()).append('\t').append(m.getStartedCount()).append('\t');
      out.append(m.getCompletedCount()).append('\t').append(m.getFailedCount()).append('\t');
      out.append(m.getCancelledCount()).append('\t').append(m.getEstimatedHoursSum()).append('\t');
      out.append(m.getActualHoursSum()).append('\t').append(m.getActualHoursCount()).append('\t');
      // The histogram as a PostgreSQL array literal: {0,3,0,...}.
      out.append('{');
      List<Long> buckets = m.getDurationHistogram();
      for (int b = 0; b < buckets.size(); b++) {
        out.append(b == 0 ? "" : ",").append(buckets.get(b));
      }
      out.append("}\t");
      out.append(t.getRevision()).append("\t0\t").append(t.getIsFinal() ? 't' : 'f').append('\n');
    }
    return out.toString();
  }

  /** One end-to-end run: its seconds, its progress and the batches it committed. */
  record SinkRun(double seconds, List<Sample> samples, long batches) {}

  /**
   * One sink run of a comparison of settings.
   *
   * @param variant the name of the settings it ran with
   * @param rowsPerSecond rows committed per second, from the seek to the last commit
   * @param millisPerBatch its seconds over the batches it committed: with a backlog the writer
   *     commits batch after batch, so this is the mean time to write and commit one
   * @param batches transactions committed
   */
  public record SettingRun(
      String variant, double rowsPerSecond, double millisPerBatch, long batches) {}

  /**
   * The sink alone (no COPY) with each of {@code variants}' settings on top of the defaults, in the
   * sink's own keys: a warm-up run of the first, then {@code options.runs()} rounds of every
   * variant, their order reversed every other round so that each meets the same share of a noisy
   * machine. Returns the counted runs in order.
   */
  public static List<SettingRun> compare(
      Options options, PrintStream progress, Map<String, Map<String, String>> variants)
      throws InterruptedException {
    List<String> names = new ArrayList<>(variants.keySet());
    progress.printf(
        "sink settings compared: %s, %,d rows, 1 warm-up + %d rounds, %s%n",
        names, options.rows(), options.runs(), options);
    List<TaskRollup> rows = rows(options.rows(), 1);
    List<SettingRun> runs = new ArrayList<>();
    List<String> topics = new ArrayList<>();
    try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers()));
        KafkaProducer<byte[], byte[]> producer = producer(options);
        Connection c = connect(options)) {
      try {
        int run = 0;
        for (int round = 0; round <= options.runs(); round++) {
          List<String> order = new ArrayList<>(names);
          if (round % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          if (round == 0) {
            order = List.of(names.get(0));
          }
          for (String variant : order) {
            Topics runTopics = Topics.withPrefix(options.topicPrefix() + "cmp" + run++ + ".");
            createTopics(admin, runTopics);
            topics.addAll(runTopics.names());
            reset(c);
            produce(producer, runTopics.rollups().name(), rows);
            SinkRun sink = timeSink(options, rows.size(), runTopics, variants.get(variant), c);
            SettingRun r =
                new SettingRun(
                    variant,
                    rate(rows.size(), sink.seconds()),
                    sink.seconds() * 1000 / Math.max(1, sink.batches()),
                    sink.batches());
            progress.printf(
                "%-9s %-24s %,10.0f rows/s  %,8.1f ms per batch (%d batches)%n",
                round == 0 ? "warm-up" : "round " + round,
                variant,
                r.rowsPerSecond(),
                r.millisPerBatch(),
                r.batches());
            if (round > 0) {
              runs.add(r);
            }
          }
        }
      } finally {
        if (!topics.isEmpty()) {
          await("delete topics " + topics, admin.deleteTopics(topics).all());
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the comparison failed on " + options.jdbcUrl() + ": " + e.getMessage(), e);
    }
    return runs;
  }

  /**
   * The pipeline's topics under the run's prefix, as {@code hourglass topics} creates them but with
   * {@value #ROLLUP_PARTITIONS} partitions; the provisioner waits until every partition takes
   * records (a producer sending earlier was seen to stall until its delivery timeout).
   */
  private static void createTopics(Admin admin, Topics topics) {
    new TopicProvisioner(admin, Duration.ofSeconds(60))
        .provision(
            TopicSettings.from(
                Map.of(
                    Shared.TOPIC_PREFIX,
                    topics.prefix(),
                    TopicSettings.PARTITIONS,
                    Integer.toString(ROLLUP_PARTITIONS))));
  }

  private static void await(String what, org.apache.kafka.common.KafkaFuture<Void> future)
      throws InterruptedException {
    try {
      future.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Options options) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // Untimed set-up: large batches so that producing the records takes little of the run.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    return new KafkaProducer<>(p);
  }

  /** The rows' records on the rollups topic, keyed by organization, before the clock starts. */
  private static void produce(
      KafkaProducer<byte[], byte[]> producer, String topic, List<TaskRollup> rows) {
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (TaskRollup t : rows) {
      producer.send(
          new ProducerRecord<>(
              topic, t.getOrganizationId().getBytes(StandardCharsets.UTF_8), FORMAT.encode(t)),
          (metadata, e) -> {
            if (e != null) {
              failed.compareAndSet(null, e);
            }
          });
    }
    producer.flush();
    if (failed.get() != null) {
      throw new IllegalStateException(
          "cannot produce the benchmark's records: " + failed.get().getMessage(), failed.get());
    }
  }

  /**
   * A sink with default settings (plus {@code sinkSettings}) on the run's topics, timed from the
   * moment it has seeked every partition it reads to its last commit; checks the table and the
   * stored offsets afterwards.
   */
  private static SinkRun timeSink(
      Options options, int n, Topics topics, Map<String, String> sinkSettings, Connection c)
      throws SQLException, InterruptedException {
    String group = "hourglass-bench-" + topics.prefix();
    Map<String, String> s = new HashMap<>();
    s.put(Shared.BOOTSTRAP_SERVERS, options.bootstrapServers());
    s.put(Shared.TOPIC_PREFIX, topics.prefix());
    s.put(SinkConfig.GROUP_ID, group);
    s.put(Shared.JDBC_URL, options.jdbcUrl());
    s.put(Shared.JDBC_USER, options.user());
    s.put(Shared.JDBC_PASSWORD, options.password());
    s.putAll(sinkSettings);
    try (SinkApp sink = new SinkApp(SinkConfig.from(s))) {
      long deadline = System.nanoTime() + SINK_TIMEOUT.toNanos();
      sink.start();
      // Every topic of the contract but stats and schemas (the sink reads schemas apart, not as a
      // partition it owns), each with ROLLUP_PARTITIONS partitions.
      long reads =
          topics.names().stream()
                  .filter(t -> !t.equals(topics.stats().name()))
                  .filter(t -> !t.equals(topics.schemas().name()))
                  .count()
              * ROLLUP_PARTITIONS;
      while (sink.stats().partitionsReady() < reads) {
        check(sink, deadline);
        Thread.sleep(1);
      }
      long t0 = System.nanoTime();
      List<Sample> samples = new ArrayList<>();
      samples.add(new Sample(0, 0));
      long nextSample = t0 + TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MS);
      long committed;
      while ((committed = sink.stats().recordsCommitted()) < n) {
        check(sink, deadline);
        long now = System.nanoTime();
        if (now >= nextSample) {
          samples.add(new Sample(TimeUnit.NANOSECONDS.toMillis(now - t0), committed));
          nextSample += TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MS);
        }
        Thread.sleep(1);
      }
      long end = System.nanoTime();
      samples.add(new Sample(TimeUnit.NANOSECONDS.toMillis(end - t0), committed));
      if (committed != n || !sink.caughtUp()) {
        throw new IllegalStateException(
            "the sink committed " + committed + " records of " + n + " or is not caught up");
      }
      long inTable = count(c);
      if (inTable != n) {
        throw new IllegalStateException(
            "the sink wrote " + inTable + " rows into " + TABLE + ", expected " + n);
      }
      return new SinkRun((end - t0) / 1e9, samples, sink.stats().batchesCommitted());
    }
  }

  private static void check(SinkApp sink, long deadline) {
    if (sink.failure().isPresent()) {
      throw new IllegalStateException(
          "the sink stopped: " + sink.failure().get().getMessage(), sink.failure().get());
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "the sink did not write the benchmark's rows within " + SINK_TIMEOUT);
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }
}
