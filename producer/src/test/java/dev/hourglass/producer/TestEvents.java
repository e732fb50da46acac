package dev.hourglass.producer;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.time.Instant;

/**
 * One valid event of each type, for one organization; callers set the time and ids they need.
 * Shared with the loadgen module's tests through this module's test jar.
 */
public final class TestEvents {
  public static final String ORG = "0b6a4a51-2f41-4c4e-9a53-6f4f6f0c1a01";
  public static final String EVENT = "7d1c2f9e-5b0a-4d5e-8f4c-2a9b3c4d5e6f";
  private static final Instant AT = Instant.ofEpochMilli(1_767_225_600_000L);

  private TestEvents() {}

  public static TaskEvent task() {
    return TaskEvent.newBuilder()
        .setEventId(EVENT)
        .setOccurredAt(AT)
        .setOrganizationId(ORG)
        .setProjectId("11111111-2222-4333-8444-555555555555")
        .setTaskId("21111111-2222-4333-8444-555555555555")
        .setKind(TaskEventKind.COMPLETED)
        .setPriority(2)
        .setEstimatedHours(4.25)
        .setActualHours(3.5)
        .build();
  }

  public static AgentEvent agent() {
    return AgentEvent.newBuilder()
        .setEventId(EVENT)
        .setOccurredAt(AT)
        .setOrganizationId(ORG)
        .setAgentId("31111111-2222-4333-8444-555555555555")
        .setAgentType("codegen")
        .setAgentTaskId("41111111-2222-4333-8444-555555555555")
        .setKind(AgentEventKind.COMPLETED)
        .setTokensUsed(3_000)
        .setCostMicros(45_000)
        .setPerformanceScore(0.875)
        .setDurationMs(41_500L)
        .build();
  }

  public static IntegrationEvent integration() {
    return IntegrationEvent.newBuilder()
        .setEventId(EVENT)
        .setOccurredAt(AT)
        .setOrganizationId(ORG)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(IntegrationStatus.ERROR)
        .setProcessed(false)
        .setLatencyMs(480)
        .build();
  }
}
