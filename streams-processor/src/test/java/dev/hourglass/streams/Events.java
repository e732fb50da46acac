package dev.hourglass.streams;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Valid events for tests, with deterministic ids. */
final class Events {
  static final String ORG = "00000000-0000-4000-8000-000000000001";
  static final String ORG_2 = "00000000-0000-4000-8000-000000000002";
  static final String PROJECT = "00000000-0000-4000-8000-0000000000a1";
  static final String AGENT = "00000000-0000-4000-8000-0000000000b1";
  static final String TASK = "00000000-0000-4000-8000-0000000000c1";
  static final String RUN = "00000000-0000-4000-8000-0000000000d1";

  private static final AtomicLong IDS = new AtomicLong();

  private Events() {}

  static String newId() {
    return UUID.nameUUIDFromBytes(
            ("event-" + IDS.incrementAndGet()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static TaskEvent.Builder task(String org, Instant at, TaskEventKind kind) {
    return TaskEvent.newBuilder()
        .setEventId(newId())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setProjectId(PROJECT)
        .setTaskId(TASK)
        .setKind(kind)
        .setPriority(3)
        .setMetadata(Map.of());
  }

  static AgentEvent.Builder agent(String org, Instant at, AgentEventKind kind) {
    return AgentEvent.newBuilder()
        .setEventId(newId())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId(RUN)
        .setKind(kind)
        .setTokensUsed(0)
        .setCostMicros(0);
  }

  static IntegrationEvent.Builder integration(String org, Instant at, IntegrationStatus status) {
    return IntegrationEvent.newBuilder()
        .setEventId(newId())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(status)
        .setProcessed(true)
        .setLatencyMs(0);
  }
}
