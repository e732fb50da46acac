package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.AlertIds;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The scheduled maintenance on a real PostgreSQL and Kafka: one instance elected per database, the
 * effect of each job, failures recorded without stopping the rest, and the sink's exactly-once
 * writes untouched while the jobs run beside them.
 */
@HourglassIT
class MaintenanceIT {
  private static final String THIS_DB_STATEMENTS =
      "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database"
          + " WHERE datname = current_database()), 0)";

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant to) {
      now = to;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static SinkConfig config(TestKafka kafka, TestDatabase db, Map<String, String> more) {
    Map<String, String> s = Fixtures.settings(kafka, db);
    s.put(MaintenanceConfig.CHECK_INTERVAL_MS, "100");
    s.putAll(more);
    return SinkConfig.from(s);
  }

  private static MaintenanceScheduler scheduler(
      SinkConfig config,
      List<MaintenanceJob> jobs,
      Clock clock,
      String instance,
      MeterRegistry registry) {
    return new MaintenanceScheduler(
        () -> Maintenance.connect(config),
        jobs,
        config.maintenance().checkInterval(),
        clock,
        instance,
        new MaintenanceMetrics(registry, jobs.stream().map(MaintenanceJob::name).toList()));
  }

  private static List<MaintenanceJob> jobs(
      SinkConfig config, KafkaProducer<String, byte[]> producer) {
    return MaintenanceJobs.all(
        config.maintenance(),
        new DatabaseAlerts(config.maintenance(), Maintenance.publisher(config, producer)));
  }

  private static KafkaProducer<String, byte[]> producer(SinkConfig config) {
    return new KafkaProducer<>(Maintenance.producerProperties(config));
  }

  private static double runs(MeterRegistry r, String job, String outcome) {
    return r.get("hourglass.maintenance.runs")
        .tag("job", job)
        .tag("outcome", outcome)
        .counter()
        .count();
  }

  private static double leader(MeterRegistry r) {
    return r.get("hourglass.maintenance.leader").gauge().value();
  }

  private static void exec(TestDatabase db, String... sql) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static String detail(TestDatabase db, String job) throws SQLException {
    return Fixtures.rows(
            db,
            "SELECT last_outcome || ': ' || last_detail FROM maintenance_jobs WHERE job = '"
                + job
                + "'")
        .get(0);
  }

  @Test
  void shouldRunEachJobOnOneInstanceOnlyAndHandOverWhenItStops(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    kafka.createTopics(1, Topics.ALERTS);
    SinkConfig config = config(kafka, db, Map.of());
    TestClock clock = new TestClock(Instant.parse("2026-11-30T10:05:00Z"));
    MeterRegistry ra = new SimpleMeterRegistry();
    MeterRegistry rb = new SimpleMeterRegistry();

    try (KafkaProducer<String, byte[]> producer = producer(config);
        MaintenanceScheduler b = scheduler(config, jobs(config, producer), clock, "b", rb)) {
      MaintenanceScheduler a = scheduler(config, jobs(config, producer), clock, "a", ra);
      assertThat(a.tick()).containsExactlyElementsOf(MaintenanceJobs.NAMES);
      assertThat(b.tick()).isEmpty();
      assertThat(a.tick()).isEmpty();

      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT job, runs, failures, last_instance FROM maintenance_jobs ORDER BY job"))
          .containsExactly(
              "capture_slow_queries|1|0|a",
              "check_alerts|1|0|a",
              "create_partitions|1|0|a",
              "drop_partitions|1|0|a",
              "record_health|1|0|a",
              "refresh_views|1|0|a");
      for (String job : MaintenanceJobs.NAMES) {
        assertThat(runs(ra, job, "succeeded")).as(job).isEqualTo(1.0);
        assertThat(runs(rb, job, "succeeded")).as(job).isZero();
        assertThat(
                ra.get("hourglass.maintenance.last.run.timestamp").tag("job", job).gauge().value())
            .isEqualTo(clock.instant().getEpochSecond());
      }
      assertThat(leader(ra)).isEqualTo(1.0);
      assertThat(leader(rb)).isZero();

      a.close();
      // b takes the lock at its next check, but nothing is due before the intervals pass.
      assertThat(b.tick()).isEmpty();
      assertThat(leader(rb)).isEqualTo(1.0);
      assertThat(leader(ra)).isZero();
      clock.set(clock.instant().plus(Duration.ofMinutes(5)));
      assertThat(b.tick())
          .containsExactly(
              "refresh_views", "capture_slow_queries", "record_health", "check_alerts");
      clock.set(clock.instant().plus(Duration.ofHours(1)));
      assertThat(b.tick()).containsExactlyElementsOf(MaintenanceJobs.NAMES);
      assertThat(
              Fixtures.rows(
                  db, "SELECT job, runs, last_instance FROM maintenance_jobs ORDER BY job"))
          .containsExactly(
              "capture_slow_queries|3|b",
              "check_alerts|3|b",
              "create_partitions|2|b",
              "drop_partitions|2|b",
              "record_health|3|b",
              "refresh_views|3|b");
    }
  }

  @Test
  void shouldElectOneOfTwoRunningSchedulers(TestKafka kafka, TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    kafka.createTopics(1, Topics.ALERTS);
    SinkConfig config = config(kafka, db, Map.of());
    MeterRegistry ra = new SimpleMeterRegistry();
    MeterRegistry rb = new SimpleMeterRegistry();

    try (KafkaProducer<String, byte[]> producer = producer(config);
        MaintenanceScheduler a =
            scheduler(config, jobs(config, producer), Clock.systemUTC(), "a", ra);
        MaintenanceScheduler b =
            scheduler(config, jobs(config, producer), Clock.systemUTC(), "b", rb)) {
      a.start();
      b.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  Fixtures.count(db, "SELECT count(*) FROM maintenance_jobs WHERE runs > 0") == 6);
      // Both keep checking for a while; the intervals (minutes) keep every job from running twice.
      assertThat(leader(ra) + leader(rb)).isEqualTo(1.0);
      for (String job : MaintenanceJobs.NAMES) {
        assertThat(runs(ra, job, "succeeded") + runs(rb, job, "succeeded")).as(job).isEqualTo(1.0);
      }
      String winner = leader(ra) == 1.0 ? "a" : "b";
      assertThat(
              Fixtures.rows(
                  db, "SELECT DISTINCT last_instance || '/' || runs FROM maintenance_jobs"))
          .containsExactly(winner + "/1");
    }
  }

  @Test
  void shouldCreatePartitionsAheadAndDropThosePastTheirRetention(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    Function<LocalDate, String> suffix = m -> m.format(DateTimeFormatter.ofPattern("yyyyMM"));
    exec(
        db,
        "UPDATE partitioned_tables SET retention = interval '1 month'"
            + " WHERE table_name = 'system_metrics'",
        "SELECT create_monthly_partition('agent_rollups_hourly', (now() - interval '3 years')::date)");

    try (Connection c = Maintenance.connect(config(kafka, db, Map.of()))) {
      assertThat(MaintenanceJobs.createPartitions(c, 4))
          .isEqualTo("created 5 partition(s); 41 exist");
      assertThat(MaintenanceJobs.createPartitions(c, 4))
          .isEqualTo("created 0 partition(s); 41 exist");
      assertThat(MaintenanceJobs.dropPartitions(c))
          .isEqualTo(
              "dropped 3 partition(s): [agent_rollups_hourly_p"
                  + suffix.apply(month.minusYears(3))
                  + ", system_metrics_p"
                  + suffix.apply(month.minusMonths(3))
                  + ", system_metrics_p"
                  + suffix.apply(month.minusMonths(2))
                  + "]");
      assertThat(MaintenanceJobs.dropPartitions(c)).isEqualTo("dropped 0 partition(s)");
    }
    assertThat(
            Fixtures.rows(
                db,
                "SELECT relname FROM pg_class WHERE relname ~ '^(task_rollups_hourly|system_metrics)_p'"
                    + " AND relkind = 'r' ORDER BY relname DESC LIMIT 1"))
        .containsExactly("task_rollups_hourly_p" + suffix.apply(month.plusMonths(4)));
  }

  @Test
  void shouldRefreshTheViewsSoTheAgentSummaryHoldsRows(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    Instant hour = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    exec(
        db,
        "SELECT create_monthly_partition('agent_rollups_hourly', now()::date)",
        "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
            + " window_end, event_count, started_count, completed_count, failed_count,"
            + " tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count,"
            + " duration_ms_sum, duration_count, duration_histogram, revision, late_event_count,"
            + " is_final) VALUES ('11111111-1111-1111-1111-111111111111',"
            + " '22222222-2222-2222-2222-222222222222', 'coder', '"
            + hour
            + "', '"
            + hour.plus(Duration.ofHours(1))
            + "', 3, 2, 1, 0, 500, 1250000, 1.5, 2, 4000, 1, array_fill(0::bigint, ARRAY[128]), 1,"
            + " 0, true)");
    assertThat(Fixtures.count(db, "SELECT count(*) FROM mv_agent_performance_summary")).isZero();

    try (Connection c = Maintenance.connect(config(kafka, db, Map.of()))) {
      assertThat(MaintenanceJobs.refreshViews(c)).startsWith("refreshed mv_daily_task_summary");
    }

    assertThat(
            Fixtures.rows(
                db,
                "SELECT agent_name, total_tasks, completed_tasks, total_cost"
                    + " FROM mv_agent_performance_summary"))
        .containsExactly("agent-22222222|2|1|1.250000");
    assertThat(
            Fixtures.count(
                db,
                "SELECT count(*) FROM system_metrics"
                    + " WHERE metric_name = 'materialized_view_refresh_duration'"))
        .isEqualTo(1);
    // REFRESH ... CONCURRENTLY needs a unique index on plain columns of each view.
    assertThat(
            Fixtures.rows(
                db,
                "SELECT c.relname FROM pg_class c WHERE c.relkind = 'm' AND EXISTS (SELECT 1"
                    + " FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique"
                    + " AND i.indexprs IS NULL AND i.indpred IS NULL) ORDER BY 1"))
        .containsExactly(
            "mv_agent_performance_summary", "mv_daily_task_summary", "mv_system_metrics_hourly");
  }

  @Test
  void shouldCaptureEachSlowStatementOncePerChangeAndRecordHealth(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    String sleeps =
        "SELECT calls FROM slow_query_log WHERE query_text = 'SELECT pg_sleep($1)' ORDER BY calls";
    try (Connection c = Maintenance.connect(config(kafka, db, Map.of()))) {
      exec(db, THIS_DB_STATEMENTS, "SELECT pg_sleep(0.4)");
      assertThat(MaintenanceJobs.captureSlowQueries(c, 300))
          .isEqualTo("captured 1 statement(s) slower than 300 ms");
      assertThat(MaintenanceJobs.captureSlowQueries(c, 300))
          .isEqualTo("captured 0 statement(s) slower than 300 ms");
      assertThat(Fixtures.rows(db, sleeps)).containsExactly("1");
      exec(db, "SELECT pg_sleep(0.4)");
      assertThat(MaintenanceJobs.captureSlowQueries(c, 300))
          .isEqualTo("captured 1 statement(s) slower than 300 ms");
      assertThat(Fixtures.rows(db, sleeps)).containsExactly("1", "2");

      assertThat(MaintenanceJobs.recordHealth(c)).isEqualTo("recorded 5 measurement(s)");
    }
    assertThat(
            Fixtures.rows(
                db,
                "SELECT metric_name, unit, organization_id IS NULL FROM system_metrics"
                    + " WHERE metric_type = 'database_health' ORDER BY metric_name"))
        .containsExactly(
            "database_cache_hit_ratio|percent|t",
            "database_connections_active|connections|t",
            "database_connections_total|connections|t",
            "database_health_status|level|t",
            "database_size_mb|MB|t");
    assertThat(
            Fixtures.rows(
                db,
                "SELECT value, context->>'status' FROM system_metrics"
                    + " WHERE metric_name = 'database_health_status'"))
        .containsExactly("0|healthy");
  }

  @Test
  void shouldSayWhenPgStatStatementsIsNotInstalled(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    exec(db, "DROP EXTENSION pg_stat_statements");

    try (Connection c = Maintenance.connect(config(kafka, db, Map.of()))) {
      assertThat(MaintenanceJobs.captureSlowQueries(c, 1000))
          .isEqualTo(
              "pg_stat_statements is not available (install it and add it to"
                  + " shared_preload_libraries): nothing captured");
    }
    assertThat(Fixtures.count(db, "SELECT count(*) FROM slow_query_log")).isZero();
  }

  @Test
  void shouldFireADatabaseAlertOnceAndResolveItInALaterHour(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    kafka.createTopics(1, Topics.ALERTS);
    // More than 0 statements slower than 300 ms fire database_slow_queries; at most 1000 clear it.
    // The cache hit ratio of a new database may be low: its alert is kept out.
    SinkConfig firing =
        config(
            kafka,
            db,
            Map.of(
                MaintenanceConfig.SLOW_QUERY_MS, "300",
                MaintenanceConfig.MAX_SLOW_QUERIES, "0",
                MaintenanceConfig.MIN_CACHE_HIT_PERCENT, "0"));
    SinkConfig clear =
        config(
            kafka,
            db,
            Map.of(
                MaintenanceConfig.SLOW_QUERY_MS, "300",
                MaintenanceConfig.MAX_SLOW_QUERIES, "1000",
                MaintenanceConfig.MIN_CACHE_HIT_PERCENT, "0"));
    String alertsTopic = Topics.withPrefix(firing.topicPrefix()).alerts().name();
    Instant tenFive = Instant.parse("2026-11-30T10:05:00Z");
    Instant tenOClock = Instant.parse("2026-11-30T10:00:00Z");

    try (KafkaProducer<String, byte[]> producer = producer(firing);
        Connection c = Maintenance.connect(firing)) {
      DatabaseAlerts fire =
          new DatabaseAlerts(firing.maintenance(), Maintenance.publisher(firing, producer));
      DatabaseAlerts calm =
          new DatabaseAlerts(clear.maintenance(), Maintenance.publisher(clear, producer));
      exec(db, THIS_DB_STATEMENTS, "SELECT pg_sleep(0.4)");

      assertThat(fire.check(c, tenFive))
          .isEqualTo("1 finding(s) [database_slow_queries]; 1 fired, 0 resolved");
      assertThat(fire.check(c, tenFive.plus(Duration.ofMinutes(10))))
          .isEqualTo("1 finding(s) [database_slow_queries]; 0 fired, 0 resolved");
      // Clear within the hour that fired: still firing until a later hour.
      assertThat(calm.check(c, tenFive.plus(Duration.ofMinutes(40))))
          .isEqualTo("0 finding(s) []; 0 fired, 0 resolved");
      assertThat(calm.check(c, Instant.parse("2026-11-30T11:01:00Z")))
          .isEqualTo("0 finding(s) []; 0 fired, 1 resolved");
      assertThat(calm.check(c, Instant.parse("2026-11-30T11:02:00Z")))
          .isEqualTo("0 finding(s) []; 0 fired, 0 resolved");
    }

    String id =
        AlertIds.of(
            "database_slow_queries",
            DatabaseAlerts.NO_ORGANIZATION,
            db.name(),
            tenOClock.toEpochMilli(),
            AlertState.FIRING);
    String resolvedId =
        AlertIds.of(
            "database_slow_queries",
            DatabaseAlerts.NO_ORGANIZATION,
            db.name(),
            tenOClock.toEpochMilli(),
            AlertState.RESOLVED);
    assertThat(
            Fixtures.rows(
                db,
                "SELECT alert_id, rule, severity, state, organization_id, entity_type, entity_key,"
                    + " window_start AT TIME ZONE 'UTC', observed_value, threshold,"
                    + " fired_at AT TIME ZONE 'UTC', resolved_at AT TIME ZONE 'UTC'"
                    + " FROM alerts ORDER BY state"))
        .containsExactly(
            id
                + "|database_slow_queries|CRITICAL|FIRING|"
                + DatabaseAlerts.NO_ORGANIZATION
                + "|database|"
                + db.name()
                + "|2026-11-30 10:00:00|1|0|2026-11-30 10:05:00|null",
            resolvedId
                + "|database_slow_queries|CRITICAL|RESOLVED|"
                + DatabaseAlerts.NO_ORGANIZATION
                + "|database|"
                + db.name()
                + "|2026-11-30 10:00:00|1|0|2026-11-30 10:05:00|2026-11-30 11:01:00");
    List<ConsumerRecord<String, byte[]>> records = kafka.records(alertsTopic);
    assertThat(records).hasSize(2);
    String key = "database_slow_queries|" + DatabaseAlerts.NO_ORGANIZATION + "|" + db.name();
    assertThat(records.stream().map(ConsumerRecord::key)).containsExactly(key, key);
    assertThat(
            records.stream()
                .map(r -> AlertsFormat.decode(alertsTopic, r.value()))
                .map(Alert::getAlertId))
        .containsExactly(id, resolvedId);
  }

  @Test
  void shouldRecordAFailedJobAndGoOnWithTheOthers(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    SinkConfig config = config(kafka, db, Map.of(MaintenanceConfig.STATEMENT_TIMEOUT_MS, "1000"));
    MeterRegistry registry = new SimpleMeterRegistry();
    MaintenanceJob stuck =
        new MaintenanceJob(
            "refresh_views",
            Duration.ofMinutes(5),
            (c, now) -> {
              try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(30)");
              }
              return "slept";
            });
    MaintenanceJob health =
        new MaintenanceJob(
            "record_health", Duration.ofMinutes(1), (c, now) -> MaintenanceJobs.recordHealth(c));

    try (MaintenanceScheduler s =
        scheduler(config, List.of(stuck, health), Clock.systemUTC(), "a", registry)) {
      assertThat(s.tick()).containsExactly("refresh_views", "record_health");
    }

    assertThat(detail(db, "refresh_views"))
        .isEqualTo("failed: 57014 ERROR: canceling statement due to statement timeout");
    assertThat(detail(db, "record_health")).isEqualTo("succeeded: recorded 5 measurement(s)");
    assertThat(
            Fixtures.rows(
                db,
                "SELECT job, runs, failures, last_success_at IS NOT NULL FROM maintenance_jobs"
                    + " WHERE job IN ('refresh_views', 'record_health') ORDER BY job"))
        .containsExactly("record_health|1|0|t", "refresh_views|1|1|f");
    assertThat(runs(registry, "refresh_views", "failed")).isEqualTo(1.0);
    assertThat(runs(registry, "record_health", "succeeded")).isEqualTo(1.0);
    assertThat(
            registry
                .get("hourglass.maintenance.last.outcome")
                .tag("job", "refresh_views")
                .gauge()
                .value())
        .isZero();
  }

  @Test
  void shouldRunEveryJobAsALoginOfTheWriterAndMaintainerRolesOnly(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    kafka.createTopics(1, Topics.ALERTS);
    String login = "maint_" + db.name();
    // Identifier from the test's own database name (letters, digits, underscores).
    exec(
        db,
        "CREATE ROLE "
            + login
            + " LOGIN PASSWORD 'writer-secret' IN ROLE hourglass_writer, hourglass_maintainer");
    // min cache hit 100 % fires database_cache_hit_ratio: the role may write database alerts.
    SinkConfig config =
        config(
            kafka,
            db,
            Map.of(
                "jdbc.user",
                login,
                "jdbc.password",
                "writer-secret",
                MaintenanceConfig.MIN_CACHE_HIT_PERCENT,
                "100"));
    exec(
        db,
        "SELECT create_monthly_partition('agent_rollups_hourly', (now() - interval '3 years')::date)");

    try (KafkaProducer<String, byte[]> producer = producer(config);
        MaintenanceScheduler s =
            scheduler(
                config,
                jobs(config, producer),
                Clock.systemUTC(),
                "w",
                new SimpleMeterRegistry())) {
      assertThat(s.tick()).containsExactlyElementsOf(MaintenanceJobs.NAMES);
    }

    assertThat(Fixtures.rows(db, "SELECT job, last_outcome FROM maintenance_jobs ORDER BY job"))
        .containsExactly(
            "capture_slow_queries|succeeded",
            "check_alerts|succeeded",
            "create_partitions|succeeded",
            "drop_partitions|succeeded",
            "record_health|succeeded",
            "refresh_views|succeeded");
    assertThat(detail(db, "drop_partitions")).startsWith("succeeded: dropped 1 partition(s)");
    assertThat(Fixtures.rows(db, "SELECT rule, state FROM alerts"))
        .containsExactly("database_cache_hit_ratio|FIRING");
  }

  @Test
  void shouldKeepTheSinksRowsExactWhileMaintenanceRunsBesideIt(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    // The test data has rollups of 2020: keep them past the retention the jobs apply.
    exec(db, "UPDATE partitioned_tables SET retention = interval '100 years'");
    Fixtures.createTopics(kafka, 3);
    RollupData data = RollupData.generate(11, 4, 3);
    data.publish(kafka);
    SinkConfig config =
        config(
            kafka,
            db,
            Map.of(
                MaintenanceConfig.REFRESH_INTERVAL_MS, "200",
                MaintenanceConfig.PARTITIONS_INTERVAL_MS, "200",
                MaintenanceConfig.HEALTH_INTERVAL_MS, "200",
                // No database alert: its record on the alerts topic would add to the sink's count.
                MaintenanceConfig.MIN_CACHE_HIT_PERCENT, "0"));

    try (SinkApp sink = new SinkApp(config)) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  Fixtures.count(
                          db, "SELECT runs FROM maintenance_jobs WHERE job = 'refresh_views'")
                      >= 3);

      assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
      assertThat(sink.stats().recordsCommitted()).isEqualTo(data.records.size());
      assertThat(sink.stats().deadLettered()).isZero();
    }
    assertThat(Fixtures.count(db, "SELECT count(*) FROM maintenance_jobs WHERE failures > 0"))
        .isZero();
  }
}
