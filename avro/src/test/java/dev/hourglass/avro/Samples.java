package dev.hourglass.avro;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.Severity;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * One fully populated, valid record of every top-level type, shared by the module's tests and
 * benchmarks. Each correction has a window and an entity of its own, so that a test reading a field
 * tells a rollup's from a correction's.
 */
public final class Samples {
  public static final Instant NOW = Instant.parse("2026-11-22T05:00:00Z");
  public static final Instant HOUR = Instant.parse("2026-11-22T04:00:00Z");
  public static final String ORG = "0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f";
  public static final String PROJECT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
  public static final String AGENT = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

  private Samples() {}

  public static TaskEvent task() {
    return TaskEvent.newBuilder()
        .setEventId("f47ac10b-58cc-4372-a567-0e02b2c3d479")
        .setOccurredAt(Instant.parse("2026-11-22T04:59:30.125Z"))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId("9c8b7a6d-5e4f-4321-9abc-def012345678")
        .setKind(TaskEventKind.COMPLETED)
        .setPriority(2)
        .setAssignedTo("3f2e1d0c-b9a8-4765-8432-10fedcba9876")
        .setTitle("Add retry to the webhook client")
        .setEstimatedHours(3.5)
        .setActualHours(4.25)
        .setExecutionId("6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098")
        .setMetadata(Map.of("team", "platform"))
        .setSource("producer-test")
        .build();
  }

  public static AgentEvent agent() {
    return AgentEvent.newBuilder()
        .setEventId("1e2d3c4b-5a69-4788-97a6-b5c4d3e2f100")
        .setOccurredAt(Instant.parse("2026-11-22T04:58:00Z"))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId("2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819")
        .setKind(AgentEventKind.COMPLETED)
        .setTokensUsed(18_432)
        .setCostMicros(276_480)
        .setPerformanceScore(0.875)
        .setDurationMs(41_250L)
        .setRepository("hourglass/pipeline")
        .build();
  }

  public static IntegrationEvent integration() {
    return IntegrationEvent.newBuilder()
        .setEventId("8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a")
        .setOccurredAt(Instant.parse("2026-11-22T04:57:00Z"))
        .setOrganizationId(ORG)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(IntegrationStatus.SUCCESS)
        .setProcessed(true)
        .setLatencyMs(137)
        .setPayload("{\"action\":\"opened\",\"number\":42}")
        .build();
  }

  public static List<Long> histogram() {
    List<Long> counts = LogHistogram.empty();
    counts = LogHistogram.add(counts, 1);
    counts = LogHistogram.add(counts, 1500);
    return LogHistogram.add(counts, 41_250);
  }

  public static TaskMeasures taskMeasures() {
    return new TaskMeasures(12L, 3L, 2L, 2L, 4L, 1L, 0L, 21.5, 17.25, 5L, histogram());
  }

  public static AgentMeasures agentMeasures() {
    return new AgentMeasures(
        9L, 4L, 3L, 2L, 90_000L, 1_350_000L, 2.5, 3L, 120_000L, 5L, histogram());
  }

  public static IntegrationMeasures integrationMeasures() {
    return new IntegrationMeasures(30L, 27L, 3L, 1L, 4_110L, histogram());
  }

  public static TaskRollup taskRollup() {
    return new TaskRollup(
        ORG, PROJECT, HOUR, HOUR.plusSeconds(3600), taskMeasures(), 7L, true, NOW);
  }

  public static AgentRollup agentRollup() {
    return new AgentRollup(
        ORG, AGENT, "codegen", HOUR, HOUR.plusSeconds(3600), agentMeasures(), 3L, false, NOW);
  }

  public static IntegrationRollup integrationRollup() {
    return new IntegrationRollup(
        ORG, "github", HOUR, HOUR.plusSeconds(3600), integrationMeasures(), 1L, true, NOW);
  }

  public static TaskCorrection taskCorrection() {
    return new TaskCorrection(
        ORG, PROJECT, HOUR.minusSeconds(3600), HOUR, taskMeasures(), 12L, NOW);
  }

  public static AgentCorrection agentCorrection() {
    return new AgentCorrection(
        ORG,
        AGENT,
        "codegen",
        HOUR.minusSeconds(7200),
        HOUR.minusSeconds(3600),
        agentMeasures(),
        9L,
        NOW);
  }

  public static IntegrationCorrection integrationCorrection() {
    return new IntegrationCorrection(
        ORG, "slack", HOUR.minusSeconds(3600), HOUR, integrationMeasures(), 30L, NOW);
  }

  public static Alert alert() {
    return new Alert(
        "c0ffee00-1234-4567-89ab-cdef01234567",
        "agent_failure_rate",
        Severity.WARNING,
        AlertState.FIRING,
        ORG,
        "agent",
        AGENT,
        HOUR,
        HOUR.plusSeconds(3600),
        0.4,
        0.25,
        NOW,
        null,
        "agent 7a8b9c0d failed 40% of runs (threshold 25%)",
        null);
  }

  public static DeadLetter deadLetter() {
    return new DeadLetter(
        "hourglass.task-events",
        2,
        1_234L,
        "INVALID_NEGATIVE",
        "cost_micros: -5 is negative",
        ORG,
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        ByteBuffer.wrap(ORG.getBytes(StandardCharsets.UTF_8)),
        ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0, 1, 2}),
        NOW);
  }

  /** One sample of every type in {@link KnownSchemas#TYPES}, in that order. */
  public static List<SpecificRecord> everyType() {
    return List.of(
        task(),
        agent(),
        integration(),
        taskRollup(),
        agentRollup(),
        integrationRollup(),
        taskCorrection(),
        agentCorrection(),
        integrationCorrection(),
        alert(),
        deadLetter());
  }
}
