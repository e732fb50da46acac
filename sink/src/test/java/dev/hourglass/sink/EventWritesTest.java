package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.sink.EventRows.AgentRow;
import dev.hourglass.sink.EventRows.AgentTaskRow;
import dev.hourglass.sink.EventRows.ExecutionRow;
import dev.hourglass.sink.EventRows.IntegrationEventRow;
import dev.hourglass.sink.EventRows.OrganizationRow;
import dev.hourglass.sink.EventRows.ProjectRow;
import dev.hourglass.sink.EventRows.TaskRow;
import dev.hourglass.sink.EventRows.UserRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold of several events of one row in a batch, value by value. */
class EventWritesTest {
  static final String ORG = "00000000-0000-4000-8000-000000000001";
  static final String ORG_2 = "00000000-0000-4000-8000-000000000009";
  static final String AGENT = "00000000-0000-4000-8000-000000000002";
  static final String PROJECT = "00000000-0000-4000-8000-000000000003";
  static final String TASK = "00000000-0000-4000-8000-000000000004";
  static final String USER = "00000000-0000-4000-8000-000000000005";
  static final String EXECUTION = "00000000-0000-4000-8000-0000000000aa";
  static final String RUN = "00000000-0000-4000-8000-0000000000bb";

  private final EventWrites writes = new EventWrites();

  @Test
  void shouldLetTheLatestEventSetStatusWhateverTheOrderTheyAreConsumedIn() {
    writes.add(
        task(TaskEventKind.CREATED, 1_000)
            .setTitle("Write docs")
            .setEstimatedHours(2.0)
            .setPriority(3)
            .setMetadata(Map.of("team", "a"))
            .build());
    writes.add(
        task(TaskEventKind.COMPLETED, 3_000)
            .setActualHours(1.5)
            .setPriority(2)
            .setMetadata(Map.of("tag", "z"))
            .build());
    // Older than the completion, consumed after it: fills what is still empty, changes nothing
    // else.
    writes.add(
        task(TaskEventKind.ASSIGNED, 2_000)
            .setAssignedTo(USER)
            .setTitle("Old title")
            .setPriority(1)
            .setMetadata(Map.of("tag", "y", "owner", "u"))
            .build());

    assertThat(writes.tasks())
        .containsExactly(
            new TaskRow(
                TASK,
                ORG,
                PROJECT,
                "Write docs",
                "completed",
                2,
                USER,
                Map.of("team", "a", "tag", "z", "owner", "u"),
                2.0,
                1.5,
                1_000,
                3_000));
  }

  @Test
  void shouldGiveATieOnOccurredAtToTheLaterOffset() {
    writes.add(task(TaskEventKind.STARTED, 2_000).setPriority(4).build());
    writes.add(task(TaskEventKind.CANCELLED, 2_000).setPriority(5).build());

    EventWrites reversed = new EventWrites();
    reversed.add(task(TaskEventKind.CANCELLED, 2_000).setPriority(5).build());
    reversed.add(task(TaskEventKind.STARTED, 2_000).setPriority(4).build());

    assertThat(writes.tasks())
        .containsExactly(
            new TaskRow(
                TASK,
                ORG,
                PROJECT,
                null,
                "cancelled",
                5,
                null,
                Map.of(),
                null,
                null,
                2_000,
                2_000));
    assertThat(reversed.tasks())
        .containsExactly(
            new TaskRow(
                TASK,
                ORG,
                PROJECT,
                null,
                "in_progress",
                4,
                null,
                Map.of(),
                null,
                null,
                2_000,
                2_000));
  }

  @Test
  void shouldNotOverwriteAttributesWithTheNullsOfANewerEvent() {
    writes.add(
        task(TaskEventKind.CREATED, 1_000)
            .setTitle("T")
            .setEstimatedHours(4.0)
            .setAssignedTo(USER)
            .build());
    writes.add(task(TaskEventKind.COMPLETED, 2_000).setActualHours(3.0).build());

    assertThat(writes.tasks())
        .containsExactly(
            new TaskRow(
                TASK, ORG, PROJECT, "T", "completed", 3, USER, Map.of(), 4.0, 3.0, 1_000, 2_000));
  }

  @Test
  void shouldKeepTheNewerValueWhenAnOlderEventIsConsumedLater() {
    writes.add(task(TaskEventKind.ASSIGNED, 2_000).setTitle("New").setAssignedTo(USER).build());
    writes.add(task(TaskEventKind.CREATED, 1_000).setTitle("Old").setEstimatedHours(1.0).build());

    assertThat(writes.tasks())
        .containsExactly(
            new TaskRow(
                TASK, ORG, PROJECT, "New", "assigned", 3, USER, Map.of(), 1.0, null, 1_000, 2_000));
  }

  @Test
  void shouldMergeMetadataWithTheNewerEventWinningAndSendItAsJsonInThatOrder() {
    writes.add(task(TaskEventKind.CREATED, 1_000).setMetadata(Map.of("a", "1")).build());
    writes.add(task(TaskEventKind.ASSIGNED, 3_000).setMetadata(Map.of("b", "3")).build());
    writes.add(task(TaskEventKind.STARTED, 2_000).setMetadata(Map.of("b", "2", "c", "2")).build());
    writes.add(task(TaskEventKind.COMPLETED, 4_000).setMetadata(Map.of("a", "4")).build());

    Map<String, String> metadata = writes.tasks().get(0).metadata();
    assertThat(metadata)
        .containsExactly(Map.entry("a", "4"), Map.entry("b", "3"), Map.entry("c", "2"));
    assertThat(EventRows.json(metadata)).isEqualTo("{\"a\":\"4\",\"b\":\"3\",\"c\":\"2\"}");
  }

  @Test
  void shouldWriteNulAsSpaceInJsonSincePostgresJsonbCannotHoldIt() {
    assertThat(EventRows.json(Map.of("k\u0000", "v\u0000w"))).isEqualTo("{\"k \":\"v w\"}");
    assertThat(EventRows.jsonb("a\u0000b")).isEqualTo("\"a b\"");
    // Valid JSON with an escaped NUL is kept as a string, verbatim.
    assertThat(EventRows.jsonb("{\"k\": \"\\u0000\"}"))
        .isEqualTo("\"{\\\"k\\\": \\\"\\\\u0000\\\"}\"");
    assertThat(EventRows.jsonb("{\"k\": 1}")).isEqualTo("{\"k\": 1}");
  }

  @Test
  void shouldFoldTheStartAndCompletionOfAnExecutionInEitherOrder() {
    writes.add(task(TaskEventKind.COMPLETED, 4_000).setExecutionId(EXECUTION).build());
    writes.add(task(TaskEventKind.STARTED, 1_000).setExecutionId(EXECUTION).build());
    // Not a step of an execution: no execution row, though it names one.
    writes.add(task(TaskEventKind.ASSIGNED, 500).setExecutionId(EXECUTION).build());

    assertThat(writes.executions())
        .containsExactly(
            new ExecutionRow(EXECUTION, ORG, TASK, "completed", 1_000L, 4_000L, 4_000));
    assertThat(writes.tasks().get(0).createdAt()).isEqualTo(500);
  }

  @Test
  void shouldTakeTheStatusOfAFailedRetryOfAnExecutionFromTheNewestStep() {
    writes.add(task(TaskEventKind.STARTED, 1_000).setExecutionId(EXECUTION).build());
    writes.add(task(TaskEventKind.COMPLETED, 2_000).setExecutionId(EXECUTION).build());
    writes.add(task(TaskEventKind.FAILED, 3_000).setExecutionId(EXECUTION).build());

    assertThat(writes.executions())
        .containsExactly(new ExecutionRow(EXECUTION, ORG, TASK, "failed", 1_000L, 3_000L, 3_000));
  }

  // Neither event carries a start time (a completion, then the same completion sent again): the
  // fold must keep "no start" instead of unboxing a null.
  @Test
  void shouldFoldTwoCompletionsOfOneTaskExecutionInOneBatch() {
    TaskEvent completed = task(TaskEventKind.COMPLETED, 5_000).setExecutionId(EXECUTION).build();
    writes.add(completed);
    writes.add(completed);

    assertThat(writes.executions())
        .containsExactly(new ExecutionRow(EXECUTION, ORG, TASK, "completed", null, 5_000L, 5_000));
  }

  @Test
  void shouldFoldTwoCompletionsOfOneAgentRunInOneBatch() {
    AgentEvent completed = agent(AgentEventKind.COMPLETED, 5_000).setDurationMs(4_000L).build();
    writes.add(completed);
    writes.add(completed);

    assertThat(writes.agentTasks())
        .containsExactly(
            new AgentTaskRow(
                RUN,
                ORG,
                AGENT,
                null,
                "completed",
                Map.of(),
                10,
                20,
                null,
                4_000L,
                null,
                5_000L,
                5_000));
  }

  @Test
  void shouldTakeTokensAndCostOfARunFromItsNewestEvent() {
    writes.add(
        agent(AgentEventKind.COMPLETED, 3_000)
            .setProjectId(PROJECT)
            .setTokensUsed(500)
            .setCostMicros(7_000)
            .setDurationMs(2_000L)
            .setPerformanceScore(0.9)
            .setRepository("api")
            .build());
    writes.add(
        agent(AgentEventKind.STARTED, 1_000)
            .setTokensUsed(10)
            .setCostMicros(20)
            .setPerformanceScore(0.1)
            .setRepository("old-repo")
            .build());

    assertThat(writes.agentTasks())
        .containsExactly(
            new AgentTaskRow(
                RUN,
                ORG,
                AGENT,
                PROJECT,
                "completed",
                Map.of("repository", "api"),
                500,
                7_000,
                0.9,
                2_000L,
                1_000L,
                3_000L,
                3_000));
  }

  @Test
  void shouldFillTheRepositoryOfARunFromAnOlderEventWhenTheNewerHasNone() {
    writes.add(agent(AgentEventKind.STARTED, 1_000).setRepository("api").build());
    writes.add(agent(AgentEventKind.FAILED, 2_000).setTokensUsed(0).setCostMicros(0).build());

    assertThat(writes.agentTasks())
        .containsExactly(
            new AgentTaskRow(
                RUN,
                ORG,
                AGENT,
                null,
                "failed",
                Map.of("repository", "api"),
                0,
                0,
                null,
                null,
                1_000L,
                2_000L,
                2_000));
  }

  @Test
  void shouldMoveAnAgentOnlyToAStrictlyLaterUseAndKeepItsFirstOrganization() {
    writes.add(agent(AgentEventKind.STARTED, 2_000).setAgentType("codegen").build());
    writes.add(agent(AgentEventKind.STARTED, 1_000).setAgentType("review").build());
    writes.add(agent(AgentEventKind.STARTED, 2_000).setAgentType("test").build());
    assertThat(writes.agents()).containsExactly(new AgentRow(AGENT, ORG, "codegen", 2_000));

    writes.add(
        agent(AgentEventKind.STARTED, 3_000)
            .setAgentType("review")
            .setOrganizationId(ORG_2)
            .build());
    assertThat(writes.agents()).containsExactly(new AgentRow(AGENT, ORG, "review", 3_000));
  }

  @Test
  void shouldSortReferencedRowsByIdAndKeepTheOrganizationOfTheFirstReference() {
    String otherProject = "00000000-0000-4000-8000-0000000000c1";
    String otherUser = "00000000-0000-4000-8000-0000000000d1";
    writes.add(
        task(TaskEventKind.ASSIGNED, 1_000)
            .setOrganizationId(ORG_2)
            .setTaskId(EXECUTION)
            .setProjectId(otherProject)
            .setAssignedTo(otherUser)
            .build());
    writes.add(task(TaskEventKind.ASSIGNED, 1_000).setAssignedTo(USER).build());
    // The same user and project again, from another organization: the first reference stays.
    writes.add(
        task(TaskEventKind.ASSIGNED, 2_000).setOrganizationId(ORG_2).setAssignedTo(USER).build());
    writes.add(integration(3_000, "{}").build());

    assertThat(writes.organizations())
        .containsExactly(new OrganizationRow(ORG), new OrganizationRow(ORG_2));
    assertThat(writes.projects())
        .containsExactly(new ProjectRow(PROJECT, ORG), new ProjectRow(otherProject, ORG_2));
    assertThat(writes.users())
        .containsExactly(new UserRow(USER, ORG), new UserRow(otherUser, ORG_2));
    assertThat(writes.tasks()).extracting(TaskRow::id).containsExactly(TASK, EXECUTION);
    assertThat(writes.tasks()).extracting(TaskRow::organizationId).containsExactly(ORG, ORG_2);
  }

  @Test
  void shouldKeepIntegrationEventsInConsumedOrderWithTheirPayloadAsJsonb() {
    writes.add(integration(2_000, "{\"a\": 1}").setEventId(EXECUTION).build());
    writes.add(integration(1_000, "not json").setEventId(RUN).build());
    writes.add(integration(1_000, null).setEventId(RUN).build());

    assertThat(writes.integrationEvents())
        .containsExactly(
            new IntegrationEventRow(
                EXECUTION, ORG, "github", "push", "error", true, 12, "{\"a\": 1}", 2_000),
            new IntegrationEventRow(
                RUN, ORG, "github", "push", "error", true, 12, "\"not json\"", 1_000),
            new IntegrationEventRow(RUN, ORG, "github", "push", "error", true, 12, null, 1_000));
    assertThat(writes.organizations()).containsExactly(new OrganizationRow(ORG));
  }

  @Test
  void shouldSendTheFoldedRowsTableByTableInForeignKeyOrder() {
    writes.add(
        task(TaskEventKind.COMPLETED, 2_000)
            .setExecutionId(EXECUTION)
            .setAssignedTo(USER)
            .setMetadata(Map.of("a", "1"))
            .build());
    writes.add(agent(AgentEventKind.COMPLETED, 3_000).setCostMicros(7_000).build());
    writes.add(integration(4_000, "{}").setOrganizationId(ORG_2).build());

    List<Sql.Statement> statements = writes.statements();

    assertThat(statements)
        .extracting(Sql.Statement::table, s -> s.rows().size())
        .containsExactly(
            tuple("organizations", 2),
            tuple("users", 1),
            tuple("projects", 1),
            tuple("codegen_agents", 1),
            tuple("tasks", 1),
            tuple("task_executions", 1),
            tuple("agent_tasks", 1),
            tuple("integration_events", 1));
    assertThat((String[]) statements.get(0).rows().column("id")).containsExactly(ORG, ORG_2);
    assertThat((String[]) statements.get(4).rows().column("metadata"))
        .containsExactly("{\"a\":\"1\"}");
    assertThat((Long[]) statements.get(5).rows().column("started_at")).containsExactly((Long) null);
    assertThat((long[]) statements.get(5).rows().column("completed_at")).containsExactly(2_000L);
    assertThat((long[]) statements.get(6).rows().column("cost_micros")).containsExactly(7_000L);
    assertThat((String[]) statements.get(6).rows().column("context")).containsExactly("{}");
    assertThat((String[]) statements.get(7).rows().column("status")).containsExactly("error");
  }

  static TaskEvent.Builder task(TaskEventKind kind, long at) {
    return TaskEvent.newBuilder()
        .setEventId("00000000-0000-4000-8000-" + String.format("%012d", at))
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId(TASK)
        .setKind(kind)
        .setPriority(3)
        .setMetadata(Map.of());
  }

  static AgentEvent.Builder agent(AgentEventKind kind, long at) {
    return AgentEvent.newBuilder()
        .setEventId("00000000-0000-4000-8000-" + String.format("%012d", at))
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(ORG)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId(RUN)
        .setKind(kind)
        .setTokensUsed(10)
        .setCostMicros(20);
  }

  static IntegrationEvent.Builder integration(long at, String payload) {
    return IntegrationEvent.newBuilder()
        .setEventId("00000000-0000-4000-8000-" + String.format("%012d", at))
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(ORG)
        .setIntegrationType("github")
        .setEventType("push")
        .setStatus(IntegrationStatus.ERROR)
        .setProcessed(true)
        .setLatencyMs(12)
        .setPayload(payload);
  }
}
