package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.sink.EventRows.AgentRow;
import dev.hourglass.sink.EventRows.AgentTaskRow;
import dev.hourglass.sink.EventRows.ExecutionRow;
import dev.hourglass.sink.EventRows.IntegrationEventRow;
import dev.hourglass.sink.EventRows.OrganizationRow;
import dev.hourglass.sink.EventRows.ProjectRow;
import dev.hourglass.sink.EventRows.TaskRow;
import dev.hourglass.sink.EventRows.UserRow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Raw events into the seed's tables (docs/contracts.md, "Raw events into the seed's tables"): the
 * current state of tasks, executions, agents and agent runs, and the append-only integration
 * events, with the organizations, projects, users and agents they reference created first so that
 * foreign keys hold.
 *
 * <p>Several events of one task (or run) in a batch are folded into one row with the same rule the
 * upsert applies against the stored row: the event with the latest {@code occurred_at} sets the
 * status (a tie goes to the later offset), the newest non-null value of each other attribute wins.
 * Each table's row and its {@code merge} are in {@link EventRows}; each column below names the
 * value it binds. Referenced rows are sorted by id so that two sink instances lock them in the same
 * order.
 */
final class EventWrites {
  private static final Unnest<OrganizationRow> ORGANIZATION_COLUMNS =
      new Unnest<OrganizationRow>().col("id", "text", OrganizationRow::id);

  private static final Unnest<UserRow> USER_COLUMNS =
      new Unnest<UserRow>()
          .col("id", "text", UserRow::id)
          .col("organization_id", "text", UserRow::organizationId);

  private static final Unnest<ProjectRow> PROJECT_COLUMNS =
      new Unnest<ProjectRow>()
          .col("id", "text", ProjectRow::id)
          .col("organization_id", "text", ProjectRow::organizationId);

  private static final Unnest<AgentRow> AGENT_COLUMNS =
      new Unnest<AgentRow>()
          .col("id", "text", AgentRow::id)
          .col("organization_id", "text", AgentRow::organizationId)
          .col("agent_type", "text", AgentRow::agentType)
          .col("last_used_at", "int8", AgentRow::lastUsedAt);

  private static final Unnest<TaskRow> TASK_COLUMNS =
      new Unnest<TaskRow>()
          .col("id", "text", TaskRow::id)
          .col("organization_id", "text", TaskRow::organizationId)
          .col("project_id", "text", TaskRow::projectId)
          .col("title", "text", TaskRow::title)
          .col("status", "text", TaskRow::status)
          .col("priority", "int4", TaskRow::priority)
          .col("assigned_to", "text", TaskRow::assignedTo)
          .col("metadata", "text", r -> EventRows.json(r.metadata()))
          .col("estimated_hours", "float8", TaskRow::estimatedHours)
          .col("actual_hours", "float8", TaskRow::actualHours)
          .col("created_at", "int8", TaskRow::createdAt)
          .col("last_event_at", "int8", TaskRow::lastEventAt);

  private static final Unnest<ExecutionRow> EXECUTION_COLUMNS =
      new Unnest<ExecutionRow>()
          .col("id", "text", ExecutionRow::id)
          .col("organization_id", "text", ExecutionRow::organizationId)
          .col("task_id", "text", ExecutionRow::taskId)
          .col("status", "text", ExecutionRow::status)
          .col("started_at", "int8", ExecutionRow::startedAt)
          .col("completed_at", "int8", ExecutionRow::completedAt)
          .col("last_event_at", "int8", ExecutionRow::lastEventAt);

  private static final Unnest<AgentTaskRow> AGENT_TASK_COLUMNS =
      new Unnest<AgentTaskRow>()
          .col("id", "text", AgentTaskRow::id)
          .col("organization_id", "text", AgentTaskRow::organizationId)
          .col("agent_id", "text", AgentTaskRow::agentId)
          .col("project_id", "text", AgentTaskRow::projectId)
          .col("status", "text", AgentTaskRow::status)
          .col("context", "text", r -> EventRows.json(r.context()))
          .col("tokens_used", "int8", AgentTaskRow::tokensUsed)
          .col("cost_micros", "int8", AgentTaskRow::costMicros)
          .col("performance_score", "float8", AgentTaskRow::performanceScore)
          .col("duration_ms", "int8", AgentTaskRow::durationMs)
          .col("started_at", "int8", AgentTaskRow::startedAt)
          .col("completed_at", "int8", AgentTaskRow::completedAt)
          .col("last_event_at", "int8", AgentTaskRow::lastEventAt);

  private static final Unnest<IntegrationEventRow> INTEGRATION_EVENT_COLUMNS =
      new Unnest<IntegrationEventRow>()
          .col("id", "text", IntegrationEventRow::id)
          .col("organization_id", "text", IntegrationEventRow::organizationId)
          .col("integration_type", "text", IntegrationEventRow::integrationType)
          .col("event_type", "text", IntegrationEventRow::eventType)
          .col("status", "text", IntegrationEventRow::status)
          .col("processed", "bool", IntegrationEventRow::processed)
          .col("latency_ms", "int8", IntegrationEventRow::latencyMs)
          .col("payload", "text", IntegrationEventRow::payload)
          .col("created_at", "int8", IntegrationEventRow::createdAt);

  /** The stored row is older than (or as old as) the incoming one. */
  private static final String NEWER =
      "(t.last_event_at IS NULL OR EXCLUDED.last_event_at >= t.last_event_at)";

  private static final String ORGANIZATIONS =
      "INSERT INTO organizations (id, name) SELECT u.id::uuid, 'org-' || left(u.id, 8) FROM "
          + ORGANIZATION_COLUMNS.from()
          + " ON CONFLICT DO NOTHING";

  private static final String USERS =
      "INSERT INTO users (id, organization_id, name, email)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'user-' || left(u.id, 8),"
          + " u.id || '@users.invalid' FROM "
          + USER_COLUMNS.from()
          + " ON CONFLICT DO NOTHING";

  private static final String PROJECTS =
      "INSERT INTO projects (id, organization_id, name)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'project-' || left(u.id, 8) FROM "
          + PROJECT_COLUMNS.from()
          + " ON CONFLICT DO NOTHING";

  private static final String AGENTS =
      "INSERT INTO codegen_agents AS t (id, organization_id, name, agent_type, last_used_at)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'agent-' || left(u.id, 8), u.agent_type, "
          + Sql.ts("u.last_used_at")
          + " FROM "
          + AGENT_COLUMNS.from()
          + " ON CONFLICT (id) DO UPDATE SET last_used_at = EXCLUDED.last_used_at, updated_at = now()"
          + " WHERE t.last_used_at IS NULL OR t.last_used_at < EXCLUDED.last_used_at";

  private static final String TASKS =
      "INSERT INTO tasks AS t (id, organization_id, project_id, title, status, priority, assigned_to,"
          + " metadata, estimated_hours, actual_hours, created_at, last_event_at)"
          + " SELECT u.id::uuid, u.organization_id::uuid, u.project_id::uuid, u.title, u.status,"
          + " u.priority, u.assigned_to::uuid, u.metadata::jsonb, u.estimated_hours, u.actual_hours, "
          + Sql.ts("u.created_at")
          + ", "
          + Sql.ts("u.last_event_at")
          + " FROM "
          + TASK_COLUMNS.from()
          + " ON CONFLICT (id) DO UPDATE SET"
          + " status = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.status ELSE t.status END,"
          + " priority = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.priority ELSE t.priority END,"
          + newestNonNull("title")
          + ","
          + newestNonNull("assigned_to")
          + ","
          + newestNonNull("estimated_hours")
          + ","
          + newestNonNull("actual_hours")
          + ", metadata = CASE WHEN "
          + NEWER
          + " THEN t.metadata || EXCLUDED.metadata ELSE EXCLUDED.metadata || t.metadata END,"
          + " created_at = least(t.created_at, EXCLUDED.created_at),"
          + " last_event_at = greatest(t.last_event_at, EXCLUDED.last_event_at),"
          + " updated_at = now()";

  private static final String EXECUTIONS =
      "INSERT INTO task_executions AS t (id, organization_id, task_id, status, started_at,"
          + " completed_at, last_event_at) SELECT u.id::uuid, u.organization_id::uuid,"
          + " u.task_id::uuid, u.status, "
          + Sql.ts("u.started_at")
          + ", "
          + Sql.ts("u.completed_at")
          + ", "
          + Sql.ts("u.last_event_at")
          + " FROM "
          + EXECUTION_COLUMNS.from()
          + " ON CONFLICT (id) DO UPDATE SET"
          + " status = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.status ELSE t.status END,"
          + " started_at = least(t.started_at, EXCLUDED.started_at),"
          + newestNonNull("completed_at")
          + ", last_event_at = greatest(t.last_event_at, EXCLUDED.last_event_at),"
          + " updated_at = now()";

  private static final String AGENT_TASKS =
      "INSERT INTO agent_tasks AS t (id, organization_id, agent_id, project_id, status, context,"
          + " tokens_used, cost_estimate, performance_score, duration_ms, started_at, completed_at,"
          + " last_event_at) SELECT u.id::uuid, u.organization_id::uuid, u.agent_id::uuid,"
          + " u.project_id::uuid, u.status, u.context::jsonb, u.tokens_used,"
          + " u.cost_micros::numeric / 1000000, u.performance_score, u.duration_ms, "
          + Sql.ts("u.started_at")
          + ", "
          + Sql.ts("u.completed_at")
          + ", "
          + Sql.ts("u.last_event_at")
          + " FROM "
          + AGENT_TASK_COLUMNS.from()
          + " ON CONFLICT (id) DO UPDATE SET"
          + " status = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.status ELSE t.status END,"
          + " tokens_used = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.tokens_used ELSE t.tokens_used END,"
          + " cost_estimate = CASE WHEN "
          + NEWER
          + " THEN EXCLUDED.cost_estimate ELSE t.cost_estimate END,"
          + newestNonNull("project_id")
          + ","
          + newestNonNull("performance_score")
          + ","
          + newestNonNull("duration_ms")
          + ", context = CASE WHEN "
          + NEWER
          + " THEN t.context || EXCLUDED.context ELSE EXCLUDED.context || t.context END,"
          + " started_at = least(t.started_at, EXCLUDED.started_at),"
          + newestNonNull("completed_at")
          + ", last_event_at = greatest(t.last_event_at, EXCLUDED.last_event_at),"
          + " updated_at = now()";

  // A payload that is not JSON is kept verbatim as a JSON string: the processor counted the event,
  // so refusing its row would count it twice in the books (rollup and dead letter).
  private static final String INTEGRATION_EVENTS =
      "INSERT INTO integration_events (id, organization_id, integration_type, event_type, status,"
          + " processed, latency_ms, payload, created_at) SELECT u.id::uuid, u.organization_id::uuid,"
          + " u.integration_type, u.event_type, u.status, u.processed, u.latency_ms,"
          + " CASE WHEN u.payload IS JSON THEN u.payload::jsonb ELSE to_jsonb(u.payload) END, "
          + Sql.ts("u.created_at")
          + " FROM "
          + INTEGRATION_EVENT_COLUMNS.from()
          + " ON CONFLICT DO NOTHING";

  private static String newestNonNull(String c) {
    return " "
        + c
        + " = CASE WHEN "
        + NEWER
        + " THEN coalesce(EXCLUDED."
        + c
        + ", t."
        + c
        + ") ELSE coalesce(t."
        + c
        + ", EXCLUDED."
        + c
        + ") END";
  }

  private final Map<String, OrganizationRow> organizations = new TreeMap<>();
  private final Map<String, UserRow> users = new TreeMap<>();
  private final Map<String, ProjectRow> projects = new TreeMap<>();
  private final Map<String, AgentRow> agents = new TreeMap<>();
  private final Map<String, TaskRow> tasks = new TreeMap<>();
  private final Map<String, ExecutionRow> executions = new TreeMap<>();
  private final Map<String, AgentTaskRow> agentTasks = new TreeMap<>();
  private final List<IntegrationEventRow> integrationEvents = new ArrayList<>();

  /**
   * Folds an event of {@code family} into the rows of its tables. One case per family: a switch
   * expression, so that a family added to the contract does not compile until it has one (a family
   * whose events have no tables of their own folds them into nothing, {@code e -> {}}).
   */
  void add(Family family, SpecificRecord event) {
    Consumer<SpecificRecord> fold =
        switch (family) {
          case TASK -> e -> add((TaskEvent) e);
          case AGENT -> e -> add((AgentEvent) e);
          case INTEGRATION -> e -> add((IntegrationEvent) e);
        };
    fold.accept(event);
  }

  /** Folds a task event into its task, its execution (if it is a step of one) and references. */
  void add(TaskEvent e) {
    reference(e.getOrganizationId());
    // The first reference names the organization; rows that exist are left alone anyway.
    projects.putIfAbsent(e.getProjectId(), new ProjectRow(e.getProjectId(), e.getOrganizationId()));
    if (e.getAssignedTo() != null) {
      users.putIfAbsent(e.getAssignedTo(), new UserRow(e.getAssignedTo(), e.getOrganizationId()));
    }
    tasks.merge(e.getTaskId(), TaskRow.of(e), TaskRow::merge);
    ExecutionRow execution = ExecutionRow.of(e);
    if (execution != null) {
      executions.merge(execution.id(), execution, ExecutionRow::merge);
    }
  }

  /** Folds an agent event into its agent and its run. */
  void add(AgentEvent e) {
    reference(e.getOrganizationId());
    agents.merge(e.getAgentId(), AgentRow.of(e), AgentRow::merge);
    agentTasks.merge(e.getAgentTaskId(), AgentTaskRow.of(e), AgentTaskRow::merge);
  }

  void add(IntegrationEvent e) {
    reference(e.getOrganizationId());
    integrationEvents.add(IntegrationEventRow.of(e));
  }

  private void reference(String organizationId) {
    organizations.putIfAbsent(organizationId, new OrganizationRow(organizationId));
  }

  List<OrganizationRow> organizations() {
    return List.copyOf(organizations.values());
  }

  List<UserRow> users() {
    return List.copyOf(users.values());
  }

  List<ProjectRow> projects() {
    return List.copyOf(projects.values());
  }

  List<AgentRow> agents() {
    return List.copyOf(agents.values());
  }

  List<TaskRow> tasks() {
    return List.copyOf(tasks.values());
  }

  List<ExecutionRow> executions() {
    return List.copyOf(executions.values());
  }

  List<AgentTaskRow> agentTasks() {
    return List.copyOf(agentTasks.values());
  }

  List<IntegrationEventRow> integrationEvents() {
    return List.copyOf(integrationEvents);
  }

  /** The months (first day, UTC) each partitioned table receives rows for. */
  Map<String, Set<LocalDate>> months() {
    Map<String, Set<LocalDate>> months = new TreeMap<>();
    for (IntegrationEventRow r : integrationEvents) {
      months
          .computeIfAbsent("integration_events", t -> new TreeSet<>())
          .add(Partitions.month(r.createdAt()));
    }
    return months;
  }

  /** The statements to run, in foreign-key order. */
  List<Sql.Statement> statements() {
    return List.of(
        new Sql.Statement(
            "organizations", ORGANIZATIONS, ORGANIZATION_COLUMNS.rows(organizations.values())),
        new Sql.Statement("users", USERS, USER_COLUMNS.rows(users.values())),
        new Sql.Statement("projects", PROJECTS, PROJECT_COLUMNS.rows(projects.values())),
        new Sql.Statement("codegen_agents", AGENTS, AGENT_COLUMNS.rows(agents.values())),
        new Sql.Statement("tasks", TASKS, TASK_COLUMNS.rows(tasks.values())),
        new Sql.Statement(
            "task_executions", EXECUTIONS, EXECUTION_COLUMNS.rows(executions.values())),
        new Sql.Statement("agent_tasks", AGENT_TASKS, AGENT_TASK_COLUMNS.rows(agentTasks.values())),
        new Sql.Statement(
            "integration_events",
            INTEGRATION_EVENTS,
            INTEGRATION_EVENT_COLUMNS.rows(integrationEvents)));
  }
}
