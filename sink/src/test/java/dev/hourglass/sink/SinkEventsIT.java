package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.JsonView;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.Severity;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/** Every kind of record the sink reads, with the exact rows each must leave. */
@HourglassIT
class SinkEventsIT {
  static final String ORG = "0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f";
  static final String ORG2 = "1c8e3e5f-4d2b-4f9c-8a71-2b3c4d5e6f70";
  static final String PROJECT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
  static final String USER = "3f2e1d0c-b9a8-4765-8432-10fedcba9876";
  static final String TASK1 = "9c8b7a6d-5e4f-4321-9abc-def012345678";
  static final String TASK2 = "8d7c6b5a-4f3e-4210-8bcd-ef0123456789";
  static final String EXEC = "7e6d5c4b-3a2f-4109-9cde-f01234567890";
  static final String AGENT = "6f5e4d3c-2b1a-4098-8def-012345678901";
  static final String RUN = "5e4d3c2b-1a0f-4987-9ef0-123456789012";
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  private static final AtomicInteger EVENTS = new AtomicInteger();

  @Test
  void shouldWriteEventsAlertsAndDeadLettersExactly(TestKafka kafka, TestDatabase db)
      throws Exception {
    writeAndCheck(kafka, db, false);
  }

  /**
   * The same records and rows with the sink's two paths apart (sink.reads): one instance writes the
   * raw events, another of the same group the rollups, alerts and dead letters.
   */
  @Test
  void shouldWriteTheSameRowsWithTheTwoPathsApart(TestKafka kafka, TestDatabase db)
      throws Exception {
    writeAndCheck(kafka, db, true);
  }

  private static void writeAndCheck(TestKafka kafka, TestDatabase db, boolean twoPaths)
      throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 1);
    Topics topics = Fixtures.topics(kafka);
    RecordMetadata poison;
    RecordMetadata badRollup;
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka)) {
      String tasks = topics.events(Family.TASK).name();
      Fixtures.send(p, tasks, ORG, task(TASK1, TaskEventKind.CREATED, 0, null, "Write the docs"));
      Fixtures.send(p, tasks, ORG, task(TASK1, TaskEventKind.ASSIGNED, 60, null, null));
      Fixtures.send(p, tasks, ORG, task(TASK1, TaskEventKind.STARTED, 120, EXEC, null));
      Fixtures.send(p, tasks, ORG, task(TASK1, TaskEventKind.COMPLETED, 180, EXEC, null));
      // Out of order: the newer status stays, the older event still fills the title.
      Fixtures.send(p, tasks, ORG, task(TASK2, TaskEventKind.FAILED, 300, null, null));
      Fixtures.send(p, tasks, ORG, task(TASK2, TaskEventKind.CREATED, 240, null, "Fix the build"));
      poison = Fixtures.sendRaw(p, tasks, ORG, "not an event".getBytes(StandardCharsets.UTF_8));
      TaskEvent invalid = task(TASK2, TaskEventKind.STARTED, 400, null, null);
      invalid.setOrganizationId("not-a-uuid");
      RecordMetadata invalidAt = Fixtures.send(p, tasks, ORG, invalid);

      String agents = topics.events(Family.AGENT).name();
      Fixtures.send(p, agents, ORG, agent(AgentEventKind.STARTED, 0, 0, 0, null, null));
      Fixtures.send(
          p, agents, ORG, agent(AgentEventKind.COMPLETED, 90, 1200, 2_500_000, 0.75, 6000L));

      String integrations = topics.events(Family.INTEGRATION).name();
      IntegrationEvent first = integration(0, IntegrationStatus.SUCCESS, "{\"pr\": 1}");
      Fixtures.send(p, integrations, ORG2, first);
      Fixtures.send(p, integrations, ORG2, first); // a duplicate: one row
      Fixtures.send(p, integrations, ORG2, integration(30, IntegrationStatus.ERROR, "not json"));

      String alerts = topics.alerts().name();
      Alert firing = alert("agent_failure_rate", AlertState.FIRING);
      Fixtures.send(p, alerts, "k", firing);
      Fixtures.send(p, alerts, "k", firing); // a replay: one row
      Fixtures.sendRaw(
          p,
          alerts,
          "k",
          JsonView.toJson(alert("agent_failure_rate", AlertState.RESOLVED))
              .getBytes(StandardCharsets.UTF_8));

      String deadLetters = topics.deadLetters().name();
      // The processor dead-letters the same poison record: both paths make one row.
      Fixtures.send(
          p,
          deadLetters,
          ORG,
          deadLetter(tasks, poison.partition(), poison.offset(), "NOT_SINGLE_OBJECT", null));
      Fixtures.send(p, deadLetters, ORG, deadLetter(tasks, 0, 9_999, "INVALID_FUTURE_TIME", ORG));

      String rollups = topics.rollups().name();
      Fixtures.send(p, rollups, ORG, rollup(T0, 4));
      badRollup = Fixtures.send(p, rollups, ORG, rollup(T0.plus(Duration.ofHours(1)), -5));
      Fixtures.send(p, rollups, ORG, rollup(T0.plus(Duration.ofHours(2)), 6));

      if (twoPaths) {
        Map<String, String> settings = Fixtures.settings(kafka, db);
        settings.put(SinkConfig.READS, "events");
        try (SinkApp events = new SinkApp(SinkConfig.from(settings))) {
          settings.put(SinkConfig.READS, "derived");
          try (SinkApp derived = new SinkApp(SinkConfig.from(settings))) {
            events.start();
            derived.start();
            Fixtures.awaitCaughtUp(events, Duration.ofSeconds(60));
            Fixtures.awaitCaughtUp(derived, Duration.ofSeconds(60));
            // The poison and the invalid task event; the rollup with a negative count.
            assertThat(events.stats().deadLettered()).isEqualTo(2);
            assertThat(derived.stats().deadLettered()).isEqualTo(1);
            // 13 events; 3 alerts, 2 dead letters and 3 rollups.
            assertThat(events.stats().recordsCommitted()).isEqualTo(13);
            assertThat(derived.stats().recordsCommitted()).isEqualTo(8);
          }
        }
      } else {
        try (SinkApp sink = new SinkApp(Fixtures.config(kafka, db))) {
          sink.start();
          Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
          assertThat(sink.stats().deadLettered()).isEqualTo(3);
          assertThat(sink.stats().recordsCommitted()).isEqualTo(21);
        }
      }

      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT id, organization_id, project_id, title, status, priority, assigned_to,"
                      + " metadata::text, actual_hours, extract(epoch FROM created_at)::bigint,"
                      + " extract(epoch FROM last_event_at)::bigint FROM tasks ORDER BY id"))
          .containsExactly(
              String.join(
                  "|",
                  TASK2,
                  ORG,
                  PROJECT,
                  "Fix the build",
                  "failed",
                  "2",
                  USER,
                  "{\"step\": \"300\"}",
                  "1.5",
                  epoch(240),
                  epoch(300)),
              String.join(
                  "|",
                  TASK1,
                  ORG,
                  PROJECT,
                  "Write the docs",
                  "completed",
                  "2",
                  USER,
                  "{\"step\": \"180\"}",
                  "1.5",
                  epoch(0),
                  epoch(180)));
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT id, task_id, status, extract(epoch FROM started_at)::bigint,"
                      + " extract(epoch FROM completed_at)::bigint FROM task_executions"))
          .containsExactly(String.join("|", EXEC, TASK1, "completed", epoch(120), epoch(180)));
      assertThat(Fixtures.rows(db, "SELECT id, name FROM organizations ORDER BY id"))
          .containsExactly(ORG + "|org-0b7f2d4e", ORG2 + "|org-1c8e3e5f");
      assertThat(Fixtures.rows(db, "SELECT id, organization_id, name FROM projects"))
          .containsExactly(PROJECT + "|" + ORG + "|project-5a6b7c8d");
      assertThat(Fixtures.rows(db, "SELECT id, organization_id, name, email FROM users"))
          .containsExactly(USER + "|" + ORG + "|user-3f2e1d0c|" + USER + "@users.invalid");
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT id, organization_id, name, agent_type,"
                      + " extract(epoch FROM last_used_at)::bigint FROM codegen_agents"))
          .containsExactly(String.join("|", AGENT, ORG, "agent-6f5e4d3c", "codegen", epoch(90)));
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT id, agent_id, status, tokens_used, cost_estimate, performance_score,"
                      + " duration_ms, context::text, extract(epoch FROM started_at)::bigint,"
                      + " extract(epoch FROM completed_at)::bigint FROM agent_tasks"))
          .containsExactly(
              String.join(
                  "|",
                  RUN,
                  AGENT,
                  "completed",
                  "1200",
                  "2.500000",
                  "0.7500",
                  "6000",
                  "{\"repository\": \"acme/api\"}",
                  epoch(0),
                  epoch(90)));
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT organization_id, integration_type, status, latency_ms, payload::text"
                      + " FROM integration_events ORDER BY created_at"))
          .containsExactly(
              ORG2 + "|github|success|40|{\"pr\": 1}", ORG2 + "|github|error|40|\"not json\"");
      assertThat(Fixtures.rows(db, "SELECT rule, state, severity FROM alerts ORDER BY state"))
          .containsExactly(
              "agent_failure_rate|FIRING|WARNING", "agent_failure_rate|RESOLVED|WARNING");
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT source_topic, source_partition, source_offset, reason_code,"
                      + " organization_id FROM dead_letters ORDER BY source_topic, source_offset"))
          .containsExactly(
              rollups + "|0|" + badRollup.offset() + "|CONSTRAINT_VIOLATION|" + ORG,
              tasks + "|0|" + poison.offset() + "|NOT_SINGLE_OBJECT|null",
              tasks + "|0|" + invalidAt.offset() + "|INVALID_UUID|not-a-uuid",
              tasks + "|0|9999|INVALID_FUTURE_TIME|" + ORG);
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT message FROM dead_letters WHERE reason_code = 'CONSTRAINT_VIOLATION'"))
          .singleElement()
          .asString()
          .contains("task_rollups_hourly_counts_non_negative");
      assertThat(
              Fixtures.rows(
                  db,
                  "SELECT extract(epoch FROM window_start)::bigint, event_count"
                      + " FROM task_rollups_hourly ORDER BY window_start"))
          .containsExactly(epoch(0) + "|4", (T0.getEpochSecond() + 7200) + "|6");
    }
  }

  private static String epoch(long seconds) {
    return String.valueOf(T0.getEpochSecond() + seconds);
  }

  static TaskEvent task(String taskId, TaskEventKind kind, int second, String exec, String title) {
    return TaskEvent.newBuilder()
        .setEventId(new java.util.UUID(42, EVENTS.incrementAndGet()).toString())
        .setOccurredAt(T0.plusSeconds(second))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId(taskId)
        .setKind(kind)
        .setPriority(2)
        .setAssignedTo(USER)
        .setTitle(title)
        .setEstimatedHours(null)
        .setActualHours(1.5)
        .setExecutionId(exec)
        .setMetadata(Map.of("step", String.valueOf(second)))
        .build();
  }

  static AgentEvent agent(
      AgentEventKind kind, int second, long tokens, long cost, Double score, Long duration) {
    return AgentEvent.newBuilder()
        .setEventId(new java.util.UUID(43, EVENTS.incrementAndGet()).toString())
        .setOccurredAt(T0.plusSeconds(second))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId(RUN)
        .setKind(kind)
        .setTokensUsed(tokens)
        .setCostMicros(cost)
        .setPerformanceScore(score)
        .setDurationMs(duration)
        .setRepository(kind == AgentEventKind.STARTED ? "acme/api" : null)
        .build();
  }

  static IntegrationEvent integration(int second, IntegrationStatus status, String payload) {
    return IntegrationEvent.newBuilder()
        .setEventId(new java.util.UUID(44, EVENTS.incrementAndGet()).toString())
        .setOccurredAt(T0.plusSeconds(second))
        .setOrganizationId(ORG2)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(status)
        .setProcessed(true)
        .setLatencyMs(40)
        .setPayload(payload)
        .build();
  }

  static Alert alert(String rule, AlertState state) {
    return Alert.newBuilder()
        .setAlertId(
            state == AlertState.FIRING
                ? "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
                : "aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff")
        .setRule(rule)
        .setSeverity(Severity.WARNING)
        .setState(state)
        .setOrganizationId(ORG)
        .setEntityType("agent")
        .setEntityKey(AGENT)
        .setWindowStart(T0)
        .setWindowEnd(T0.plus(Duration.ofHours(1)))
        .setObservedValue(0.5)
        .setThreshold(0.2)
        .setFiredAt(T0.plus(Duration.ofMinutes(70)))
        .setResolvedAt(state == AlertState.RESOLVED ? T0.plus(Duration.ofMinutes(130)) : null)
        .setMessage("failure rate 50% above 20%")
        .build();
  }

  static DeadLetter deadLetter(
      String topic, int partition, long offset, String reason, String organizationId) {
    return DeadLetter.newBuilder()
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setReasonCode(reason)
        .setMessage("from the processor")
        .setOrganizationId(organizationId)
        .setEventId(null)
        .setRawKey(null)
        .setRawValue(null)
        .setReceivedAt(T0)
        .build();
  }

  private static TaskRollup rollup(Instant start, long events) {
    TaskMeasures measures =
        TaskMeasures.newBuilder(RollupData.taskMeasures(Math.abs(events)))
            .setEventCount(events)
            .build();
    return RollupData.taskRollup(
        ORG, PROJECT, start, measures, 1, true, start.plus(Duration.ofHours(2)));
  }
}
