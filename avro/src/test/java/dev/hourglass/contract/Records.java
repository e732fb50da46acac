package dev.hourglass.contract;

import dev.hourglass.avro.LogHistogram;
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
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.Severity;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One record of each type a family declares, with distinct values to tell the fields apart. */
final class Records {
  static final String ORG = "0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f";
  static final String PROJECT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
  static final String AGENT = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
  static final Instant HOUR = Instant.parse("2026-11-22T04:00:00Z");
  static final Instant NOW = Instant.parse("2026-11-22T05:00:00Z");

  private Records() {}

  static TaskEvent task() {
    return TaskEvent.newBuilder()
        .setEventId("f47ac10b-58cc-4372-a567-0e02b2c3d479")
        .setOccurredAt(Instant.parse("2026-11-22T04:59:30.125Z"))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId("9c8b7a6d-5e4f-4321-9abc-def012345678")
        .setKind(TaskEventKind.COMPLETED)
        .setPriority(2)
        .setMetadata(Map.of())
        .build();
  }

  static AgentEvent agent() {
    return AgentEvent.newBuilder()
        .setEventId("1e2d3c4b-5a69-4788-97a6-b5c4d3e2f100")
        .setOccurredAt(Instant.parse("2026-11-22T04:58:00Z"))
        .setOrganizationId(ORG)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId("2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819")
        .setKind(AgentEventKind.COMPLETED)
        .setTokensUsed(18_432)
        .setCostMicros(276_480)
        .build();
  }

  static IntegrationEvent integration() {
    return IntegrationEvent.newBuilder()
        .setEventId("8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a")
        .setOccurredAt(Instant.parse("2026-11-22T04:57:00Z"))
        .setOrganizationId(ORG)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(IntegrationStatus.SUCCESS)
        .setProcessed(true)
        .setLatencyMs(137)
        .build();
  }

  private static List<Long> histogram() {
    return LogHistogram.empty();
  }

  static TaskRollup taskRollup() {
    return new TaskRollup(
        ORG,
        PROJECT,
        HOUR,
        HOUR.plusSeconds(3600),
        new TaskMeasures(1L, 0L, 0L, 0L, 1L, 0L, 0L, 0.0, 0.0, 0L, histogram()),
        1L,
        false,
        NOW);
  }

  static TaskCorrection taskCorrection() {
    return new TaskCorrection(
        ORG,
        PROJECT,
        HOUR.minusSeconds(3600),
        HOUR,
        new TaskMeasures(1L, 0L, 0L, 0L, 1L, 0L, 0L, 0.0, 0.0, 0L, histogram()),
        1L,
        NOW);
  }

  static AgentRollup agentRollup() {
    return new AgentRollup(
        ORG,
        AGENT,
        "codegen",
        HOUR,
        HOUR.plusSeconds(3600),
        new AgentMeasures(1L, 0L, 1L, 0L, 10L, 20L, 0.0, 0L, 0L, 0L, histogram()),
        2L,
        true,
        NOW);
  }

  static AgentCorrection agentCorrection() {
    return new AgentCorrection(
        ORG,
        AGENT,
        "codegen",
        HOUR.minusSeconds(7200),
        HOUR.minusSeconds(3600),
        new AgentMeasures(1L, 0L, 1L, 0L, 10L, 20L, 0.0, 0L, 0L, 0L, histogram()),
        1L,
        NOW);
  }

  static IntegrationRollup integrationRollup() {
    return new IntegrationRollup(
        ORG,
        "github",
        HOUR,
        HOUR.plusSeconds(3600),
        new IntegrationMeasures(1L, 1L, 0L, 0L, 137L, histogram()),
        1L,
        false,
        NOW);
  }

  static IntegrationCorrection integrationCorrection() {
    return new IntegrationCorrection(
        ORG,
        "slack",
        HOUR.minusSeconds(3600),
        HOUR,
        new IntegrationMeasures(1L, 1L, 0L, 0L, 137L, histogram()),
        1L,
        NOW);
  }

  static Alert alert() {
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
        "agent_failure_rate: failure_rate 0.4000 of agent ... is above 0.25");
  }
}
