package dev.hourglass.avro;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode of one record, Avro single-object (through {@link AvroSerdes}, as Kafka clients
 * call it) against Jackson JSON of the same data (plain Java records, timestamps as epoch millis,
 * as a JSON pipeline would carry them). Also prints the bytes per record of each. Not a test: run
 * it with the command in {@code avro/BENCHMARKS.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventCodecBenchmark {
  private static final String TOPIC = "hourglass.task-events";

  @Param({"TaskEvent", "AgentEvent", "IntegrationEvent", "AgentRollup"})
  public String type;

  private Serde<SpecificRecord> serde;
  private SpecificRecord record;
  private Object json;
  private Class<?> jsonType;
  private ObjectMapper mapper;

  @Setup
  public void setUp() throws IOException {
    serde = AvroSerdes.anyRecord();
    mapper = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    switch (type) {
      case "TaskEvent" -> {
        record = Samples.task();
        json = TaskJson.of(Samples.task());
      }
      case "AgentEvent" -> {
        record = Samples.agent();
        json = AgentJson.of(Samples.agent());
      }
      case "IntegrationEvent" -> {
        record = Samples.integration();
        json = IntegrationJson.of(Samples.integration());
      }
      case "AgentRollup" -> {
        record = Samples.agentRollup();
        json = AgentRollupJson.of(Samples.agentRollup());
      }
      default -> throw new IllegalArgumentException("Invalid value " + type + " for type");
    }
    jsonType = json.getClass();
    byte[] avroBytes = serde.serializer().serialize(TOPIC, record);
    byte[] jsonBytes = mapper.writeValueAsBytes(json);
    // Same data both ways, or the comparison means nothing.
    if (!serde.deserializer().deserialize(TOPIC, avroBytes).equals(record)
        || !mapper.readValue(jsonBytes, jsonType).equals(json)) {
      throw new IllegalStateException(type + " does not round-trip");
    }
    System.out.printf(
        "%nbytes/record %s: avro single-object %d, jackson json %d%n",
        type, avroBytes.length, jsonBytes.length);
  }

  @Benchmark
  public Object avroSingleObject() {
    return serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, record));
  }

  @Benchmark
  public Object jacksonJson() throws IOException {
    return mapper.readValue(mapper.writeValueAsBytes(json), jsonType);
  }

  record TaskJson(
      String eventId,
      long occurredAt,
      String organizationId,
      String projectId,
      String taskId,
      TaskEventKind kind,
      int priority,
      String assignedTo,
      String title,
      Double estimatedHours,
      Double actualHours,
      String executionId,
      Map<String, String> metadata,
      String source) {
    static TaskJson of(TaskEvent e) {
      return new TaskJson(
          e.getEventId(),
          e.getOccurredAt().toEpochMilli(),
          e.getOrganizationId(),
          e.getProjectId(),
          e.getTaskId(),
          e.getKind(),
          e.getPriority(),
          e.getAssignedTo(),
          e.getTitle(),
          e.getEstimatedHours(),
          e.getActualHours(),
          e.getExecutionId(),
          e.getMetadata(),
          e.getSource());
    }
  }

  record AgentJson(
      String eventId,
      long occurredAt,
      String organizationId,
      String projectId,
      String agentId,
      String agentType,
      String agentTaskId,
      AgentEventKind kind,
      long tokensUsed,
      long costMicros,
      Double performanceScore,
      Long durationMs,
      String repository) {
    static AgentJson of(AgentEvent e) {
      return new AgentJson(
          e.getEventId(),
          e.getOccurredAt().toEpochMilli(),
          e.getOrganizationId(),
          e.getProjectId(),
          e.getAgentId(),
          e.getAgentType(),
          e.getAgentTaskId(),
          e.getKind(),
          e.getTokensUsed(),
          e.getCostMicros(),
          e.getPerformanceScore(),
          e.getDurationMs(),
          e.getRepository());
    }
  }

  record IntegrationJson(
      String eventId,
      long occurredAt,
      String organizationId,
      String integrationType,
      String eventType,
      IntegrationStatus status,
      boolean processed,
      long latencyMs,
      String payload) {
    static IntegrationJson of(IntegrationEvent e) {
      return new IntegrationJson(
          e.getEventId(),
          e.getOccurredAt().toEpochMilli(),
          e.getOrganizationId(),
          e.getIntegrationType(),
          e.getEventType(),
          e.getStatus(),
          e.getProcessed(),
          e.getLatencyMs(),
          e.getPayload());
    }
  }

  record AgentMeasuresJson(
      long eventCount,
      long startedCount,
      long completedCount,
      long failedCount,
      long tokensUsedSum,
      long costMicrosSum,
      double performanceScoreSum,
      long performanceScoreCount,
      long durationMsSum,
      long durationCount,
      List<Long> durationHistogram) {
    static AgentMeasuresJson of(AgentMeasures m) {
      return new AgentMeasuresJson(
          m.getEventCount(),
          m.getStartedCount(),
          m.getCompletedCount(),
          m.getFailedCount(),
          m.getTokensUsedSum(),
          m.getCostMicrosSum(),
          m.getPerformanceScoreSum(),
          m.getPerformanceScoreCount(),
          m.getDurationMsSum(),
          m.getDurationCount(),
          m.getDurationHistogram());
    }
  }

  record AgentRollupJson(
      String organizationId,
      String agentId,
      String agentType,
      long windowStart,
      long windowEnd,
      AgentMeasuresJson measures,
      long revision,
      boolean isFinal,
      long emittedAt) {
    static AgentRollupJson of(AgentRollup r) {
      return new AgentRollupJson(
          r.getOrganizationId(),
          r.getAgentId(),
          r.getAgentType(),
          r.getWindowStart().toEpochMilli(),
          r.getWindowEnd().toEpochMilli(),
          AgentMeasuresJson.of(r.getMeasures()),
          r.getRevision(),
          r.getIsFinal(),
          r.getEmittedAt().toEpochMilli());
    }
  }
}
