package dev.hourglass.sink;

import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * A generated stream of rollups and corrections for the rollups topic, and the rows the tables must
 * hold after it, computed by applying the write rule of docs/contracts.md record by record (a model
 * written independently of the sink's batching).
 */
final class RollupData {
  static final Instant RECENT = Instant.parse("2026-10-31T22:00:00Z");

  /** A month whose partition the migrations do not create: the sink must. */
  static final Instant OLD = Instant.parse("2020-01-15T10:00:00Z");

  static final String TASK_SQL =
      "SELECT 'task', organization_id, project_id, extract(epoch FROM window_start)::bigint,"
          + " extract(epoch FROM window_end)::bigint, event_count, created_count,"
          + " estimated_hours_sum::numeric(20,3), duration_histogram::text, revision,"
          + " late_event_count, CASE WHEN is_final THEN 'final' ELSE 'open' END"
          + " FROM task_rollups_hourly";
  static final String AGENT_SQL =
      "SELECT 'agent', organization_id, agent_id || '/' || agent_type,"
          + " extract(epoch FROM window_start)::bigint, extract(epoch FROM window_end)::bigint,"
          + " event_count, tokens_used_sum, performance_score_sum::numeric(20,3),"
          + " duration_histogram::text, revision, late_event_count,"
          + " CASE WHEN is_final THEN 'final' ELSE 'open' END FROM agent_rollups_hourly";
  static final String INTEGRATION_SQL =
      "SELECT 'integration', organization_id, integration_type,"
          + " extract(epoch FROM window_start)::bigint, extract(epoch FROM window_end)::bigint,"
          + " event_count, latency_ms_sum, 0::numeric(20,3), latency_histogram::text, revision,"
          + " late_event_count, CASE WHEN is_final THEN 'final' ELSE 'open' END"
          + " FROM integration_rollups_hourly";

  /** One record to publish: key and value. */
  record Out(String key, SpecificRecord value) {}

  /** The expected state of one row. */
  private static final class Row {
    final String table;
    final String org;
    final String entity;
    final long start;
    long end;
    long n;
    long l;
    double d;
    long[] h = new long[128];
    long revision;
    long late;
    boolean fin;

    Row(String table, String org, String entity, long start) {
      this.table = table;
      this.org = org;
      this.entity = entity;
      this.start = start;
    }

    String text() {
      StringBuilder hist = new StringBuilder("{");
      for (int i = 0; i < h.length; i++) {
        hist.append(i == 0 ? "" : ",").append(h[i]);
      }
      hist.append('}');
      return String.join(
          "|",
          table,
          org,
          entity,
          String.valueOf(start),
          String.valueOf(end),
          String.valueOf(n),
          String.valueOf(l),
          String.format(java.util.Locale.ROOT, "%.3f", d),
          hist.toString(),
          String.valueOf(revision),
          String.valueOf(late),
          fin ? "final" : "open");
    }
  }

  final List<Out> records = new ArrayList<>();
  private final Map<String, Row> rows = new LinkedHashMap<>();
  int rollupCount;
  private boolean outOfOrder;
  int correctionCount;

  /**
   * @param orgs organizations; the first one's windows lie in {@link #OLD}, the others' around a
   *     month boundary after {@link #RECENT}
   * @param hours windows per entity
   */
  static RollupData generate(long seed, int orgs, int hours) {
    return generate(seed, orgs, hours, false);
  }

  /**
   * @param outOfOrder when true, each row's records are published back to back (so they share a
   *     batch) and a correction may come between two rollups of the same row, which the sink must
   *     apply in that order
   */
  static RollupData generate(long seed, int orgs, int hours, boolean outOfOrder) {
    Random random = new Random(seed);
    RollupData data = new RollupData();
    data.outOfOrder = outOfOrder;
    List<List<Out>> perKey = new ArrayList<>();
    for (int o = 0; o < orgs; o++) {
      String org = new UUID(seed, o).toString();
      Instant base = o == 0 ? OLD : RECENT;
      for (int h = 0; h < hours; h++) {
        Instant start = base.plus(Duration.ofHours(h));
        for (int e = 0; e < 2; e++) {
          String project = new UUID(seed + 1, o * 100L + e).toString();
          String agent = new UUID(seed + 2, o * 100L + e).toString();
          String integration = e == 0 ? "github" : "linear";
          perKey.add(data.sequence(random, "task", org, project, start));
          perKey.add(data.sequence(random, "agent", org, agent + "/codegen", start));
          perKey.add(data.sequence(random, "integration", org, integration, start));
        }
      }
    }
    if (outOfOrder) {
      perKey.forEach(data.records::addAll);
      return data;
    }
    // Interleave the keys' sequences, each one's order kept, as a processor emits them.
    boolean more = true;
    for (int i = 0; more; i++) {
      more = false;
      for (List<Out> seq : perKey) {
        if (i < seq.size()) {
          data.records.add(seq.get(i));
          more = true;
        }
      }
    }
    return data;
  }

  private List<Out> sequence(
      Random random, String table, String org, String entity, Instant start) {
    List<Out> out = new ArrayList<>();
    int revisions = 1 + random.nextInt(3);
    for (int r = 1; r <= revisions; r++) {
      long n = 10L * r + random.nextInt(5);
      out.add(new Out(org, rollup(table, org, entity, start, n, r, r == revisions)));
      if (outOfOrder && r < revisions && random.nextBoolean()) {
        out.add(new Out(org, correction(table, org, entity, start, 1 + random.nextInt(3))));
      }
    }
    int corrections = random.nextInt(3);
    for (int c = 0; c < corrections; c++) {
      long n = 1 + random.nextInt(3);
      out.add(new Out(org, correction(table, org, entity, start, n)));
    }
    return out;
  }

  /** Publishes every record to this test's rollups topic, in order, with a producer of its own. */
  void publish(TestKafka kafka) {
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(kafka)) {
      publish(producer, Fixtures.topics(kafka).rollups().name());
    }
  }

  /** Publishes every record to the rollups topic, in order. */
  void publish(KafkaProducer<byte[], byte[]> producer, String topic) {
    for (Out o : records) {
      Fixtures.send(producer, topic, o.key(), o.value());
    }
    producer.flush();
  }

  List<String> expectedRows() {
    List<String> out = new ArrayList<>();
    rows.values().forEach(r -> out.add(r.text()));
    Collections.sort(out);
    return out;
  }

  static List<String> actualRows(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    out.addAll(Fixtures.rows(db, TASK_SQL));
    out.addAll(Fixtures.rows(db, AGENT_SQL));
    out.addAll(Fixtures.rows(db, INTEGRATION_SQL));
    Collections.sort(out);
    return out;
  }

  private static long[] histogram(long n) {
    long[] h = new long[128];
    h[(int) (n % 128)] = n;
    return h;
  }

  private static List<Long> list(long[] h) {
    return Arrays.stream(h).boxed().toList();
  }

  private SpecificRecord rollup(
      String table, String org, String entity, Instant start, long n, long revision, boolean fin) {
    rollupCount++;
    Instant end = start.plus(Duration.ofHours(1));
    Instant emitted = end.plusSeconds(revision);
    Row row = rows.get(table + org + entity + start);
    if (row == null || revision > row.revision) {
      long late = row == null ? 0 : row.late;
      row = new Row(table, org, entity, start.getEpochSecond());
      rows.put(table + org + entity + start, row);
      row.end = end.getEpochSecond();
      row.n = n;
      row.l = 3 * n;
      row.d = table.equals("integration") ? 0 : n * 0.5;
      row.h = histogram(n);
      row.revision = revision;
      row.late = late;
      row.fin = fin;
    }
    return switch (table) {
      case "task" -> taskRollup(org, entity, start, taskMeasures(n), revision, fin, emitted);
      case "agent" ->
          AgentRollup.newBuilder()
              .setOrganizationId(org)
              .setAgentId(entity.substring(0, 36))
              .setAgentType(entity.substring(37))
              .setWindowStart(start)
              .setWindowEnd(end)
              .setMeasures(agentMeasures(n))
              .setRevision(revision)
              .setIsFinal(fin)
              .setEmittedAt(emitted)
              .build();
      default ->
          IntegrationRollup.newBuilder()
              .setOrganizationId(org)
              .setIntegrationType(entity)
              .setWindowStart(start)
              .setWindowEnd(end)
              .setMeasures(integrationMeasures(n))
              .setRevision(revision)
              .setIsFinal(fin)
              .setEmittedAt(emitted)
              .build();
    };
  }

  private SpecificRecord correction(
      String table, String org, String entity, Instant start, long n) {
    correctionCount++;
    Instant end = start.plus(Duration.ofHours(1));
    Row row = rows.get(table + org + entity + start);
    if (row == null) {
      row = new Row(table, org, entity, start.getEpochSecond());
      rows.put(table + org + entity + start, row);
      row.end = end.getEpochSecond();
      row.fin = true;
    }
    row.n += n;
    row.l += 3 * n;
    row.d += table.equals("integration") ? 0 : n * 0.5;
    long[] delta = histogram(n);
    for (int i = 0; i < 128; i++) {
      row.h[i] += delta[i];
    }
    row.revision += 1;
    row.late += n;
    Instant emitted = end.plus(Duration.ofHours(2));
    return switch (table) {
      case "task" ->
          TaskCorrection.newBuilder()
              .setOrganizationId(org)
              .setProjectId(entity)
              .setWindowStart(start)
              .setWindowEnd(end)
              .setDelta(taskMeasures(n))
              .setLateEventCount(n)
              .setEmittedAt(emitted)
              .build();
      case "agent" ->
          AgentCorrection.newBuilder()
              .setOrganizationId(org)
              .setAgentId(entity.substring(0, 36))
              .setAgentType(entity.substring(37))
              .setWindowStart(start)
              .setWindowEnd(end)
              .setDelta(agentMeasures(n))
              .setLateEventCount(n)
              .setEmittedAt(emitted)
              .build();
      default ->
          IntegrationCorrection.newBuilder()
              .setOrganizationId(org)
              .setIntegrationType(entity)
              .setWindowStart(start)
              .setWindowEnd(end)
              .setDelta(integrationMeasures(n))
              .setLateEventCount(n)
              .setEmittedAt(emitted)
              .build();
    };
  }

  /** A task rollup of the hour from {@code start}. */
  static TaskRollup taskRollup(
      String org,
      String project,
      Instant start,
      TaskMeasures measures,
      long revision,
      boolean isFinal,
      Instant emittedAt) {
    return TaskRollup.newBuilder()
        .setOrganizationId(org)
        .setProjectId(project)
        .setWindowStart(start)
        .setWindowEnd(start.plus(Duration.ofHours(1)))
        .setMeasures(measures)
        .setRevision(revision)
        .setIsFinal(isFinal)
        .setEmittedAt(emittedAt)
        .build();
  }

  static TaskMeasures taskMeasures(long n) {
    return TaskMeasures.newBuilder()
        .setEventCount(n)
        .setCreatedCount(3 * n)
        .setAssignedCount(0)
        .setStartedCount(0)
        .setCompletedCount(0)
        .setFailedCount(0)
        .setCancelledCount(0)
        .setEstimatedHoursSum(n * 0.5)
        .setActualHoursSum(0)
        .setActualHoursCount(0)
        .setDurationHistogram(list(histogram(n)))
        .build();
  }

  static AgentMeasures agentMeasures(long n) {
    return AgentMeasures.newBuilder()
        .setEventCount(n)
        .setStartedCount(0)
        .setCompletedCount(0)
        .setFailedCount(0)
        .setTokensUsedSum(3 * n)
        .setCostMicrosSum(0)
        .setPerformanceScoreSum(n * 0.5)
        .setPerformanceScoreCount(0)
        .setDurationMsSum(0)
        .setDurationCount(0)
        .setDurationHistogram(list(histogram(n)))
        .build();
  }

  static IntegrationMeasures integrationMeasures(long n) {
    return IntegrationMeasures.newBuilder()
        .setEventCount(n)
        .setSuccessCount(0)
        .setErrorCount(0)
        .setUnprocessedCount(0)
        .setLatencyMsSum(3 * n)
        .setLatencyHistogram(list(histogram(n)))
        .build();
  }
}
