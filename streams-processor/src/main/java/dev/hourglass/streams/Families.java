package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The aggregation of each family of the contract. Index constants name the slots of {@link
 * Measures} for each. Every family has exactly one aggregation, of its event type: checked when
 * this class loads, so a family added to the contract without its measures fails at once.
 */
final class Families {
  private Families() {}

  static final Aggregation<TaskEvent> TASK = new Task();
  static final Aggregation<AgentEvent> AGENT = new Agent();
  static final Aggregation<IntegrationEvent> INTEGRATION = new Integration();

  private static final Map<Family, Aggregation<?>> BY_FAMILY = byFamily(TASK, AGENT, INTEGRATION);

  private static final double MS_PER_HOUR = 3_600_000.0;

  /** Tasks per (organization, project): counts per kind, hours, actual hours as a histogram. */
  static final class Task implements Aggregation<TaskEvent> {
    static final int EVENTS = 0;
    static final int CREATED = 1;
    static final int ASSIGNED = 2;
    static final int STARTED = 3;
    static final int COMPLETED = 4;
    static final int FAILED = 5;
    static final int CANCELLED = 6;
    static final int ACTUAL_HOURS_COUNT = 7;
    static final int LONGS = 8;
    static final int ESTIMATED_HOURS_SUM = 0;
    static final int ACTUAL_HOURS_SUM = 1;
    static final int DOUBLES = 2;

    @Override
    public Family family() {
      return Family.TASK;
    }

    @Override
    public Class<TaskEvent> eventType() {
      return TaskEvent.class;
    }

    @Override
    public String label(TaskEvent e) {
      return "";
    }

    @Override
    public Measures empty() {
      return new Measures(LONGS, DOUBLES);
    }

    @Override
    public Measures measure(TaskEvent e, Measures m) {
      m.longs[EVENTS] = 1;
      int kind =
          switch (e.getKind()) {
            case CREATED -> CREATED;
            case ASSIGNED -> ASSIGNED;
            case STARTED -> STARTED;
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
          };
      m.longs[kind] = 1;
      if (e.getEstimatedHours() != null) {
        m.doubles[ESTIMATED_HOURS_SUM] = e.getEstimatedHours();
      }
      if (e.getActualHours() != null) {
        double hours = e.getActualHours();
        m.longs[ACTUAL_HOURS_COUNT] = 1;
        m.doubles[ACTUAL_HOURS_SUM] = hours;
        m.histogram[LogHistogram.bucketOf(hours * MS_PER_HOUR)] = 1;
      }
      return m;
    }

    static TaskMeasures avro(Measures m) {
      return TaskMeasures.newBuilder()
          .setEventCount(m.longs[EVENTS])
          .setCreatedCount(m.longs[CREATED])
          .setAssignedCount(m.longs[ASSIGNED])
          .setStartedCount(m.longs[STARTED])
          .setCompletedCount(m.longs[COMPLETED])
          .setFailedCount(m.longs[FAILED])
          .setCancelledCount(m.longs[CANCELLED])
          .setEstimatedHoursSum(m.doubles[ESTIMATED_HOURS_SUM])
          .setActualHoursSum(m.doubles[ACTUAL_HOURS_SUM])
          .setActualHoursCount(m.longs[ACTUAL_HOURS_COUNT])
          .setDurationHistogram(Aggregation.histogram(m.histogram))
          .build();
    }

    @Override
    public SpecificRecord rollup(WindowState w, boolean isFinal, long emittedAt) {
      return TaskRollup.newBuilder()
          .setOrganizationId(w.organizationId())
          .setProjectId(w.entityKey())
          .setWindowStart(Instant.ofEpochMilli(w.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(w.windowEnd()))
          .setMeasures(avro(w.measures()))
          .setRevision(w.revision())
          .setIsFinal(isFinal)
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public SpecificRecord correction(WindowState d, long emittedAt) {
      return TaskCorrection.newBuilder()
          .setOrganizationId(d.organizationId())
          .setProjectId(d.entityKey())
          .setWindowStart(Instant.ofEpochMilli(d.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(d.windowEnd()))
          .setDelta(avro(d.measures()))
          .setLateEventCount(d.measures().eventCount())
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public Set<Metric> metrics() {
      return EnumSet.of(Metric.FAILED_COUNT, Metric.FAILURE_RATE, Metric.P95_DURATION_MS);
    }

    @Override
    public double metric(Metric metric, Measures m) {
      return switch (metric) {
        case FAILED_COUNT -> m.longs[FAILED];
        case FAILURE_RATE ->
            Aggregation.ratio(m.longs[FAILED], m.longs[COMPLETED] + m.longs[FAILED]);
        case P95_DURATION_MS -> Aggregation.p95(m.histogram);
        default -> throw unsupported(this, metric);
      };
    }

    @Override
    public long sample(Metric metric, Measures m) {
      return switch (metric) {
        case FAILED_COUNT -> m.longs[EVENTS];
        case FAILURE_RATE -> m.longs[COMPLETED] + m.longs[FAILED];
        case P95_DURATION_MS -> m.longs[ACTUAL_HOURS_COUNT];
        default -> throw unsupported(this, metric);
      };
    }
  }

  /** Agents per (organization, agent): runs, tokens, cost, scores, durations. */
  static final class Agent implements Aggregation<AgentEvent> {
    static final int EVENTS = 0;
    static final int STARTED = 1;
    static final int COMPLETED = 2;
    static final int FAILED = 3;
    static final int TOKENS = 4;
    static final int COST_MICROS = 5;
    static final int SCORE_COUNT = 6;
    static final int DURATION_SUM = 7;
    static final int DURATION_COUNT = 8;
    static final int LONGS = 9;
    static final int SCORE_SUM = 0;
    static final int DOUBLES = 1;

    @Override
    public Family family() {
      return Family.AGENT;
    }

    @Override
    public Class<AgentEvent> eventType() {
      return AgentEvent.class;
    }

    @Override
    public String label(AgentEvent e) {
      return e.getAgentType();
    }

    @Override
    public Measures empty() {
      return new Measures(LONGS, DOUBLES);
    }

    @Override
    public Measures measure(AgentEvent e, Measures m) {
      m.longs[EVENTS] = 1;
      int kind =
          switch (e.getKind()) {
            case STARTED -> STARTED;
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
          };
      m.longs[kind] = 1;
      m.longs[TOKENS] = e.getTokensUsed();
      m.longs[COST_MICROS] = e.getCostMicros();
      if (e.getPerformanceScore() != null) {
        m.longs[SCORE_COUNT] = 1;
        m.doubles[SCORE_SUM] = e.getPerformanceScore();
      }
      if (e.getDurationMs() != null) {
        long ms = e.getDurationMs();
        m.longs[DURATION_SUM] = ms;
        m.longs[DURATION_COUNT] = 1;
        m.histogram[LogHistogram.bucketOf(ms)] = 1;
      }
      return m;
    }

    static AgentMeasures avro(Measures m) {
      return AgentMeasures.newBuilder()
          .setEventCount(m.longs[EVENTS])
          .setStartedCount(m.longs[STARTED])
          .setCompletedCount(m.longs[COMPLETED])
          .setFailedCount(m.longs[FAILED])
          .setTokensUsedSum(m.longs[TOKENS])
          .setCostMicrosSum(m.longs[COST_MICROS])
          .setPerformanceScoreSum(m.doubles[SCORE_SUM])
          .setPerformanceScoreCount(m.longs[SCORE_COUNT])
          .setDurationMsSum(m.longs[DURATION_SUM])
          .setDurationCount(m.longs[DURATION_COUNT])
          .setDurationHistogram(Aggregation.histogram(m.histogram))
          .build();
    }

    @Override
    public SpecificRecord rollup(WindowState w, boolean isFinal, long emittedAt) {
      return AgentRollup.newBuilder()
          .setOrganizationId(w.organizationId())
          .setAgentId(w.entityKey())
          .setAgentType(w.label())
          .setWindowStart(Instant.ofEpochMilli(w.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(w.windowEnd()))
          .setMeasures(avro(w.measures()))
          .setRevision(w.revision())
          .setIsFinal(isFinal)
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public SpecificRecord correction(WindowState d, long emittedAt) {
      return AgentCorrection.newBuilder()
          .setOrganizationId(d.organizationId())
          .setAgentId(d.entityKey())
          .setAgentType(d.label())
          .setWindowStart(Instant.ofEpochMilli(d.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(d.windowEnd()))
          .setDelta(avro(d.measures()))
          .setLateEventCount(d.measures().eventCount())
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public Set<Metric> metrics() {
      return EnumSet.of(
          Metric.FAILURE_RATE, Metric.FAILED_COUNT, Metric.COST_USD, Metric.P95_DURATION_MS);
    }

    @Override
    public double metric(Metric metric, Measures m) {
      return switch (metric) {
        case FAILURE_RATE ->
            Aggregation.ratio(m.longs[FAILED], m.longs[COMPLETED] + m.longs[FAILED]);
        case FAILED_COUNT -> m.longs[FAILED];
        case COST_USD -> m.longs[COST_MICROS] / 1e6;
        case P95_DURATION_MS -> Aggregation.p95(m.histogram);
        default -> throw unsupported(this, metric);
      };
    }

    @Override
    public long sample(Metric metric, Measures m) {
      return switch (metric) {
        case FAILURE_RATE -> m.longs[COMPLETED] + m.longs[FAILED];
        case FAILED_COUNT, COST_USD -> m.longs[EVENTS];
        case P95_DURATION_MS -> m.longs[DURATION_COUNT];
        default -> throw unsupported(this, metric);
      };
    }
  }

  /** Integrations per (organization, integration_type): outcomes, backlog, latency. */
  static final class Integration implements Aggregation<IntegrationEvent> {
    static final int EVENTS = 0;
    static final int SUCCESS = 1;
    static final int ERROR = 2;
    static final int UNPROCESSED = 3;
    static final int LATENCY_SUM = 4;
    static final int LONGS = 5;

    @Override
    public Family family() {
      return Family.INTEGRATION;
    }

    @Override
    public Class<IntegrationEvent> eventType() {
      return IntegrationEvent.class;
    }

    @Override
    public String label(IntegrationEvent e) {
      return "";
    }

    @Override
    public Measures empty() {
      return new Measures(LONGS, 0);
    }

    @Override
    public Measures measure(IntegrationEvent e, Measures m) {
      m.longs[EVENTS] = 1;
      m.longs[e.getStatus() == IntegrationStatus.SUCCESS ? SUCCESS : ERROR] = 1;
      if (!e.getProcessed()) {
        m.longs[UNPROCESSED] = 1;
      }
      m.longs[LATENCY_SUM] = e.getLatencyMs();
      m.histogram[LogHistogram.bucketOf(e.getLatencyMs())] = 1;
      return m;
    }

    static IntegrationMeasures avro(Measures m) {
      return IntegrationMeasures.newBuilder()
          .setEventCount(m.longs[EVENTS])
          .setSuccessCount(m.longs[SUCCESS])
          .setErrorCount(m.longs[ERROR])
          .setUnprocessedCount(m.longs[UNPROCESSED])
          .setLatencyMsSum(m.longs[LATENCY_SUM])
          .setLatencyHistogram(Aggregation.histogram(m.histogram))
          .build();
    }

    @Override
    public SpecificRecord rollup(WindowState w, boolean isFinal, long emittedAt) {
      return IntegrationRollup.newBuilder()
          .setOrganizationId(w.organizationId())
          .setIntegrationType(w.entityKey())
          .setWindowStart(Instant.ofEpochMilli(w.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(w.windowEnd()))
          .setMeasures(avro(w.measures()))
          .setRevision(w.revision())
          .setIsFinal(isFinal)
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public SpecificRecord correction(WindowState d, long emittedAt) {
      return IntegrationCorrection.newBuilder()
          .setOrganizationId(d.organizationId())
          .setIntegrationType(d.entityKey())
          .setWindowStart(Instant.ofEpochMilli(d.windowStart()))
          .setWindowEnd(Instant.ofEpochMilli(d.windowEnd()))
          .setDelta(avro(d.measures()))
          .setLateEventCount(d.measures().eventCount())
          .setEmittedAt(Instant.ofEpochMilli(emittedAt))
          .build();
    }

    @Override
    public Set<Metric> metrics() {
      return EnumSet.of(Metric.ERROR_RATE, Metric.P95_LATENCY_MS);
    }

    @Override
    public double metric(Metric metric, Measures m) {
      return switch (metric) {
        case ERROR_RATE -> Aggregation.ratio(m.longs[ERROR], m.longs[EVENTS]);
        case P95_LATENCY_MS -> Aggregation.p95(m.histogram);
        default -> throw unsupported(this, metric);
      };
    }

    @Override
    public long sample(Metric metric, Measures m) {
      return switch (metric) {
        case ERROR_RATE, P95_LATENCY_MS -> m.longs[EVENTS];
        default -> throw unsupported(this, metric);
      };
    }
  }

  private static IllegalArgumentException unsupported(Aggregation<?> aggregation, Metric metric) {
    return new IllegalArgumentException(
        "family " + aggregation.family().id() + " has no metric " + metric.configName());
  }

  /** Every aggregation, in the contract's family order. */
  static List<Aggregation<?>> all() {
    return List.copyOf(BY_FAMILY.values());
  }

  /** The aggregation of {@code family}. */
  static Aggregation<?> of(Family family) {
    return BY_FAMILY.get(family);
  }

  private static Map<Family, Aggregation<?>> byFamily(Aggregation<?>... aggregations) {
    Map<Family, Aggregation<?>> map = new EnumMap<>(Family.class);
    for (Aggregation<?> a : aggregations) {
      if (a.eventType() != a.family().eventType()) {
        throw new IllegalStateException(
            a.family() + " events are " + a.family().eventType() + ", not " + a.eventType());
      }
      if (map.put(a.family(), a) != null) {
        throw new IllegalStateException("two aggregations of family " + a.family().id());
      }
    }
    for (Family f : Family.values()) {
      if (!map.containsKey(f)) {
        throw new IllegalStateException(
            "family "
                + f.id()
                + " has no aggregation: write its measures in Families (docs/contracts.md,"
                + " \"Adding a family\")");
      }
    }
    return map;
  }
}
