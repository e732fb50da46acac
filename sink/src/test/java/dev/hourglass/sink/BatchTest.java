package dev.hourglass.sink;

import static dev.hourglass.sink.EventWritesTest.AGENT;
import static dev.hourglass.sink.EventWritesTest.EXECUTION;
import static dev.hourglass.sink.EventWritesTest.ORG;
import static dev.hourglass.sink.EventWritesTest.PROJECT;
import static dev.hourglass.sink.EventWritesTest.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.Severity;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The plan of a batch: which statements, in which order, with how many rows, and its months. */
class BatchTest {
  private static final Instant FEB_END = Instant.parse("2026-02-28T23:00:00Z");
  private static final Instant MAR_START = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant MAR_MID = Instant.parse("2026-03-15T12:34:56Z");
  private static final Instant APR = Instant.parse("2026-04-02T05:00:00Z");
  private static final TopicPartition EVENTS = new TopicPartition("task-events", 0);
  private static final TopicPartition ROLLUPS = new TopicPartition("rollups", 1);

  private final List<SinkRecord> records = new ArrayList<>();

  @Test
  void shouldPlanAMixedBatchTableByTableInForeignKeyOrder() {
    add(
        EVENTS,
        EventWritesTest.task(TaskEventKind.CREATED, MAR_MID.toEpochMilli())
            .setAssignedTo(USER)
            .build());
    add(
        EVENTS,
        EventWritesTest.task(TaskEventKind.STARTED, MAR_MID.toEpochMilli() + 1)
            .setExecutionId(EXECUTION)
            .build());
    add(EVENTS, EventWritesTest.agent(AgentEventKind.COMPLETED, MAR_MID.toEpochMilli()).build());
    add(EVENTS, EventWritesTest.integration(MAR_MID.toEpochMilli(), "{}").build());
    add(ROLLUPS, taskRollup(FEB_END, 1));
    add(ROLLUPS, taskRollup(FEB_END, 2));
    add(ROLLUPS, taskRollup(MAR_START, 1));
    add(ROLLUPS, taskCorrection(MAR_START, 4));
    // A rollup after a correction of its row: a second round, so that it is applied after it.
    add(ROLLUPS, taskRollup(MAR_START, 3));
    add(ROLLUPS, agentRollup(APR));
    add(ROLLUPS, alert());
    add(ROLLUPS, deadLetter());
    records.add(
        new SinkRecord(
            "rollups",
            1,
            records.size(),
            1_000,
            null,
            new byte[] {1},
            new SinkRecord.Rejected("TRUNCATED", "too short", null, null)));

    Batch batch = Batch.plan(records);

    assertThat(batch.statements())
        .extracting(Sql.Statement::table, s -> s.rows().size())
        .containsExactly(
            tuple("organizations", 1),
            tuple("users", 1),
            tuple("projects", 1),
            tuple("codegen_agents", 1),
            tuple("tasks", 1),
            tuple("task_executions", 1),
            tuple("agent_tasks", 1),
            tuple("integration_events", 1),
            tuple("task_rollups_hourly", 2),
            tuple("task_rollups_hourly", 1),
            tuple("task_rollups_hourly", 1),
            tuple("agent_rollups_hourly", 1),
            tuple("alerts", 1),
            tuple("dead_letters", 2));
    RollupWrites.Table task = RollupWrites.Table.of(Family.TASK);
    assertThat(batch.statements().subList(8, 12))
        .extracting(Sql.Statement::sql)
        .containsExactly(
            task.rollupSql,
            task.correctionSql,
            task.rollupSql,
            RollupWrites.Table.of(Family.AGENT).rollupSql);
    // The highest revision of each row in the first round; the correction inserts as revision 1.
    assertThat((long[]) batch.statements().get(8).rows().column("revision"))
        .containsExactly(2L, 1L);
    assertThat((long[]) batch.statements().get(9).rows().column("late_event_count"))
        .containsExactly(4L);
    assertThat((long[]) batch.statements().get(10).rows().column("revision")).containsExactly(3L);
    assertThat((String[]) batch.statements().get(13).rows().column("reason_code"))
        .containsExactly("LATE", "TRUNCATED");
    assertThat(batch.months())
        .isEqualTo(
            Map.of(
                "agent_rollups_hourly", Set.of(LocalDate.parse("2026-04-01")),
                "integration_events", Set.of(LocalDate.parse("2026-03-01")),
                "task_rollups_hourly",
                    Set.of(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-03-01"))));
    assertThat(batch.months().keySet())
        .containsExactly("agent_rollups_hourly", "integration_events", "task_rollups_hourly");
    assertThat(batch.rejected()).isEqualTo(1);
    assertThat(batch.records()).isEqualTo(records);
    assertThat(batch.advances()).isEmpty();
  }

  @Test
  void shouldPlanNothingButOffsetMovesForABatchWithoutRecords() {
    Batch batch = Batch.plan(List.of());

    assertThat(batch.statements()).isEmpty();
    assertThat(batch.months()).isEmpty();
    assertThat(batch.isEmpty()).isTrue();

    Batch moving = batch.advancing(Map.of(EVENTS, new OffsetStore.Advance(10, 12, 0)));

    assertThat(moving.isEmpty()).isFalse();
    assertThat(moving.statements()).isEmpty();
    assertThat(moving.advances())
        .containsExactly(Map.entry(EVENTS, new OffsetStore.Advance(10, 12, 0)));
  }

  @Test
  void shouldPlanAgainWithoutTheRecordsOfRevokedPartitions() {
    add(EVENTS, EventWritesTest.integration(MAR_MID.toEpochMilli(), "{}").build());
    add(ROLLUPS, taskRollup(FEB_END, 1));
    add(ROLLUPS, alert());
    Batch batch =
        Batch.plan(records)
            .advancing(
                Map.of(
                    EVENTS, new OffsetStore.Advance(0, 1, 0),
                    ROLLUPS, new OffsetStore.Advance(OffsetStore.NONE, 3, 0)));

    Batch kept = batch.without(List.of(ROLLUPS));

    assertThat(kept.records()).isEqualTo(records.subList(0, 1));
    assertThat(kept.statements())
        .extracting(Sql.Statement::table, s -> s.rows().size())
        .containsExactly(tuple("organizations", 1), tuple("integration_events", 1));
    assertThat(kept.months())
        .isEqualTo(Map.of("integration_events", Set.of(LocalDate.parse("2026-03-01"))));
    assertThat(kept.advances())
        .containsExactly(Map.entry(EVENTS, new OffsetStore.Advance(0, 1, 0)));
  }

  @Test
  void shouldKeepThePlanWhenNoneOfItsRecordsIsRevoked() {
    add(EVENTS, EventWritesTest.integration(MAR_MID.toEpochMilli(), "{}").build());
    Batch batch =
        Batch.plan(records)
            .advancing(
                Map.of(
                    EVENTS, new OffsetStore.Advance(0, 1, 0),
                    ROLLUPS, new OffsetStore.Advance(5, 9, 0)));

    Batch kept = batch.without(List.of(ROLLUPS));

    assertThat(kept.statements()).isSameAs(batch.statements());
    assertThat(kept.advances())
        .containsExactly(Map.entry(EVENTS, new OffsetStore.Advance(0, 1, 0)));
  }

  @Test
  void shouldRefuseARecordItHasNoWriterFor() {
    records.add(new SinkRecord("rollups", 0, 7, 0, null, null, "a string"));

    assertThatThrownBy(() -> Batch.plan(records))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no writer for a string");
  }

  private void add(TopicPartition tp, Object payload) {
    records.add(
        new SinkRecord(tp.topic(), tp.partition(), records.size(), 1_000, null, null, payload));
  }

  private static TaskRollup taskRollup(Instant start, long revision) {
    return RollupData.taskRollup(
        ORG,
        PROJECT,
        start,
        RollupData.taskMeasures(2),
        revision,
        false,
        start.plus(Duration.ofHours(1)));
  }

  private static TaskCorrection taskCorrection(Instant start, long late) {
    return TaskCorrection.newBuilder()
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setWindowStart(start)
        .setWindowEnd(start.plus(Duration.ofHours(1)))
        .setDelta(RollupData.taskMeasures(1))
        .setLateEventCount(late)
        .setEmittedAt(start.plus(Duration.ofHours(3)))
        .build();
  }

  private static AgentRollup agentRollup(Instant start) {
    return AgentRollup.newBuilder()
        .setOrganizationId(ORG)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setWindowStart(start)
        .setWindowEnd(start.plus(Duration.ofHours(1)))
        .setMeasures(RollupData.agentMeasures(1))
        .setRevision(1)
        .setIsFinal(true)
        .setEmittedAt(start.plus(Duration.ofHours(1)))
        .build();
  }

  private static Alert alert() {
    return Alert.newBuilder()
        .setAlertId("00000000-0000-4000-8000-0000000000f1")
        .setRule("error_rate")
        .setSeverity(Severity.WARNING)
        .setState(AlertState.FIRING)
        .setOrganizationId(ORG)
        .setEntityType("integration")
        .setEntityKey("github")
        .setWindowStart(MAR_START)
        .setWindowEnd(MAR_START.plus(Duration.ofHours(1)))
        .setObservedValue(0.5)
        .setThreshold(0.1)
        .setFiredAt(MAR_START.plus(Duration.ofHours(1)))
        .setMessage("errors")
        .build();
  }

  private static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("task-events")
        .setSourcePartition(0)
        .setSourceOffset(42)
        .setReasonCode("LATE")
        .setMessage("too late")
        .setReceivedAt(MAR_START)
        .build();
  }
}
