package dev.hourglass.sink;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raw events into the seed's tables (docs/contracts.md, "Raw events into the seed's tables"): the
 * current state of tasks, executions, agents and agent runs, and the append-only integration
 * events, with the organizations, projects, users and agents they reference created first so that
 * foreign keys hold.
 *
 * <p>Several events of one task (or run) in a batch are folded into one row with the same rule the
 * upsert applies against the stored row: the event with the latest {@code occurred_at} sets the
 * status (a tie goes to the later offset), the newest non-null value of each other attribute wins.
 * Referenced rows are sorted by id so that two sink instances lock them in the same order.
 */
final class EventWrites {
  /** The stored row is older than (or as old as) the incoming one. */
  private static final String NEWER =
      "(t.last_event_at IS NULL OR EXCLUDED.last_event_at >= t.last_event_at)";

  private static final String ORGANIZATIONS =
      "INSERT INTO organizations (id, name) SELECT u.id::uuid, 'org-' || left(u.id, 8) FROM "
          + new Unnest().col("id", "text").from()
          + " ON CONFLICT DO NOTHING";

  private static final String USERS =
      "INSERT INTO users (id, organization_id, name, email)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'user-' || left(u.id, 8),"
          + " u.id || '@users.invalid' FROM "
          + new Unnest().col("id", "text").col("organization_id", "text").from()
          + " ON CONFLICT DO NOTHING";

  private static final String PROJECTS =
      "INSERT INTO projects (id, organization_id, name)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'project-' || left(u.id, 8) FROM "
          + new Unnest().col("id", "text").col("organization_id", "text").from()
          + " ON CONFLICT DO NOTHING";

  private static final String AGENTS =
      "INSERT INTO codegen_agents AS t (id, organization_id, name, agent_type, last_used_at)"
          + " SELECT u.id::uuid, u.organization_id::uuid, 'agent-' || left(u.id, 8), u.agent_type, "
          + Sql.ts("u.last_used_at")
          + " FROM "
          + agentRows().from()
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
          + taskRows().from()
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
          + executionRows().from()
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
          + agentTaskRows().from()
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
          + integrationRows().from()
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

  private static Unnest agentRows() {
    return new Unnest()
        .col("id", "text")
        .col("organization_id", "text")
        .col("agent_type", "text")
        .col("last_used_at", "int8");
  }

  private static Unnest taskRows() {
    return new Unnest()
        .col("id", "text")
        .col("organization_id", "text")
        .col("project_id", "text")
        .col("title", "text")
        .col("status", "text")
        .col("priority", "int4")
        .col("assigned_to", "text")
        .col("metadata", "text")
        .col("estimated_hours", "float8")
        .col("actual_hours", "float8")
        .col("created_at", "int8")
        .col("last_event_at", "int8");
  }

  private static Unnest executionRows() {
    return new Unnest()
        .col("id", "text")
        .col("organization_id", "text")
        .col("task_id", "text")
        .col("status", "text")
        .col("started_at", "int8")
        .col("completed_at", "int8")
        .col("last_event_at", "int8");
  }

  private static Unnest agentTaskRows() {
    return new Unnest()
        .col("id", "text")
        .col("organization_id", "text")
        .col("agent_id", "text")
        .col("project_id", "text")
        .col("status", "text")
        .col("context", "text")
        .col("tokens_used", "int8")
        .col("cost_micros", "int8")
        .col("performance_score", "float8")
        .col("duration_ms", "int8")
        .col("started_at", "int8")
        .col("completed_at", "int8")
        .col("last_event_at", "int8");
  }

  private static Unnest integrationRows() {
    return new Unnest()
        .col("id", "text")
        .col("organization_id", "text")
        .col("integration_type", "text")
        .col("event_type", "text")
        .col("status", "text")
        .col("processed", "bool")
        .col("latency_ms", "int8")
        .col("payload", "text")
        .col("created_at", "int8");
  }

  private final Map<String, OrganizationRow> organizations = new TreeMap<>();
  private final Map<String, UserRow> users = new TreeMap<>();
  private final Map<String, ProjectRow> projects = new TreeMap<>();
  private final Map<String, AgentRow> agents = new TreeMap<>();
  private final Map<String, TaskRow> tasks = new TreeMap<>();
  private final Map<String, ExecutionRow> executions = new TreeMap<>();
  private final Map<String, AgentTaskRow> agentTasks = new TreeMap<>();
  private final List<IntegrationEventRow> integrationEvents = new ArrayList<>();

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

  /** The statements to run, in foreign-key order. */
  List<Sql.Statement> statements() {
    List<Sql.Statement> out = new ArrayList<>();
    Unnest rows = new Unnest().col("id", "text");
    organizations.keySet().forEach(rows::row);
    out.add(new Sql.Statement(ORGANIZATIONS, rows));
    rows = new Unnest().col("id", "text").col("organization_id", "text");
    for (UserRow u : users.values()) {
      rows.row(u.id(), u.organizationId());
    }
    out.add(new Sql.Statement(USERS, rows));
    rows = new Unnest().col("id", "text").col("organization_id", "text");
    for (ProjectRow p : projects.values()) {
      rows.row(p.id(), p.organizationId());
    }
    out.add(new Sql.Statement(PROJECTS, rows));
    rows = agentRows();
    for (AgentRow a : agents.values()) {
      rows.row(a.id(), a.organizationId(), a.agentType(), a.lastUsedAt());
    }
    out.add(new Sql.Statement(AGENTS, rows));
    rows = taskRows();
    for (TaskRow t : tasks.values()) {
      rows.row(
          t.id(),
          t.organizationId(),
          t.projectId(),
          t.title(),
          t.status(),
          t.priority(),
          t.assignedTo(),
          EventRows.json(t.metadata()),
          t.estimatedHours(),
          t.actualHours(),
          t.createdAt(),
          t.lastEventAt());
    }
    out.add(new Sql.Statement(TASKS, rows));
    rows = executionRows();
    for (ExecutionRow x : executions.values()) {
      rows.row(
          x.id(),
          x.organizationId(),
          x.taskId(),
          x.status(),
          x.startedAt(),
          x.completedAt(),
          x.lastEventAt());
    }
    out.add(new Sql.Statement(EXECUTIONS, rows));
    rows = agentTaskRows();
    for (AgentTaskRow r : agentTasks.values()) {
      rows.row(
          r.id(),
          r.organizationId(),
          r.agentId(),
          r.projectId(),
          r.status(),
          EventRows.json(r.context()),
          r.tokensUsed(),
          r.costMicros(),
          r.performanceScore(),
          r.durationMs(),
          r.startedAt(),
          r.completedAt(),
          r.lastEventAt());
    }
    out.add(new Sql.Statement(AGENT_TASKS, rows));
    rows = integrationRows();
    for (IntegrationEventRow i : integrationEvents) {
      rows.row(
          i.id(),
          i.organizationId(),
          i.integrationType(),
          i.eventType(),
          i.status(),
          i.processed(),
          i.latencyMs(),
          i.payload(),
          i.createdAt());
    }
    out.add(new Sql.Statement(INTEGRATION_EVENTS, rows));
    return out;
  }
}
