package dev.hourglass.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** Mutable fold of the events of one id in a batch; see the class comment for the rule. */
  private static final class Row {
    final Object[] v;
    long last;
    final Map<String, String> json = new LinkedHashMap<>();

    Row(Object[] v, long last) {
      this.v = v;
      this.last = last;
    }
  }

  private final TreeMap<String, String> organizations = new TreeMap<>();
  private final TreeMap<String, String> users = new TreeMap<>();
  private final TreeMap<String, String> projects = new TreeMap<>();
  private final TreeMap<String, Object[]> agents = new TreeMap<>();
  private final TreeMap<String, Row> tasks = new TreeMap<>();
  private final TreeMap<String, Row> executions = new TreeMap<>();
  private final TreeMap<String, Row> agentTasks = new TreeMap<>();
  private final Unnest integrationEvents = integrationRows();

  static boolean handles(Object payload) {
    return payload instanceof TaskEvent
        || payload instanceof AgentEvent
        || payload instanceof IntegrationEvent;
  }

  void add(Object event) {
    if (event instanceof TaskEvent e) {
      addTask(e);
    } else if (event instanceof AgentEvent e) {
      addAgent(e);
    } else if (event instanceof IntegrationEvent e) {
      organizations.put(e.getOrganizationId(), e.getOrganizationId());
      integrationEvents.row(
          e.getEventId(),
          e.getOrganizationId(),
          e.getIntegrationType(),
          e.getEventType(),
          e.getStatus().name().toLowerCase(java.util.Locale.ROOT),
          e.getProcessed(),
          e.getLatencyMs(),
          jsonb(e.getPayload()),
          e.getOccurredAt().toEpochMilli());
    }
  }

  private void addTask(TaskEvent e) {
    String org = e.getOrganizationId();
    organizations.put(org, org);
    projects.putIfAbsent(e.getProjectId(), org);
    if (e.getAssignedTo() != null) {
      users.putIfAbsent(e.getAssignedTo(), org);
    }
    long at = e.getOccurredAt().toEpochMilli();
    Object[] incoming = {
      e.getTaskId(),
      org,
      e.getProjectId(),
      e.getTitle(),
      taskStatus(e),
      e.getPriority(),
      e.getAssignedTo(),
      null,
      e.getEstimatedHours(),
      e.getActualHours(),
      at,
      at
    };
    Row row = tasks.get(e.getTaskId());
    if (row == null) {
      row = new Row(incoming, at);
      tasks.put(e.getTaskId(), row);
      row.json.putAll(e.getMetadata());
    } else {
      boolean newer = at >= row.last;
      fold(row, incoming, newer, new int[] {4, 5}, new int[] {3, 6, 8, 9});
      if (newer) {
        row.json.putAll(e.getMetadata());
      } else {
        e.getMetadata().forEach(row.json::putIfAbsent);
      }
      row.v[10] = Math.min((Long) row.v[10], at);
      row.v[11] = Math.max((Long) row.v[11], at);
      row.last = Math.max(row.last, at);
    }
    String status = executionStatus(e);
    if (e.getExecutionId() != null && status != null) {
      Long started = status.equals("running") ? at : null;
      Long completed = status.equals("running") ? null : at;
      Object[] exec = {e.getExecutionId(), org, e.getTaskId(), status, started, completed, at};
      Row x = executions.get(e.getExecutionId());
      if (x == null) {
        executions.put(e.getExecutionId(), new Row(exec, at));
      } else {
        boolean newer = at >= x.last;
        fold(x, exec, newer, new int[] {3}, new int[] {5});
        x.v[4] = minNullable((Long) x.v[4], started);
        x.v[6] = Math.max((Long) x.v[6], at);
        x.last = Math.max(x.last, at);
      }
    }
  }

  private void addAgent(AgentEvent e) {
    String org = e.getOrganizationId();
    organizations.put(org, org);
    long at = e.getOccurredAt().toEpochMilli();
    Object[] agent = agents.get(e.getAgentId());
    if (agent == null || (Long) agent[3] < at) {
      agents.put(
          e.getAgentId(),
          new Object[] {e.getAgentId(), agent == null ? org : agent[1], e.getAgentType(), at});
    }
    String status =
        switch (e.getKind()) {
          case STARTED -> "running";
          case COMPLETED -> "completed";
          case FAILED -> "failed";
        };
    Long started = status.equals("running") ? at : null;
    Long completed = status.equals("running") ? null : at;
    Object[] run = {
      e.getAgentTaskId(),
      org,
      e.getAgentId(),
      e.getProjectId(),
      status,
      null,
      e.getTokensUsed(),
      e.getCostMicros(),
      e.getPerformanceScore(),
      e.getDurationMs(),
      started,
      completed,
      at
    };
    Row row = agentTasks.get(e.getAgentTaskId());
    if (row == null) {
      row = new Row(run, at);
      agentTasks.put(e.getAgentTaskId(), row);
      if (e.getRepository() != null) {
        row.json.put("repository", e.getRepository());
      }
    } else {
      boolean newer = at >= row.last;
      fold(row, run, newer, new int[] {4, 6, 7}, new int[] {3, 8, 9, 11});
      if (e.getRepository() != null && (newer || !row.json.containsKey("repository"))) {
        row.json.put("repository", e.getRepository());
      }
      row.v[10] = minNullable((Long) row.v[10], started);
      row.v[12] = Math.max((Long) row.v[12], at);
      row.last = Math.max(row.last, at);
    }
  }

  /** Newer event: its values win ({@code latest}) or win when not null ({@code nonNull}). */
  private static void fold(Row row, Object[] incoming, boolean newer, int[] latest, int[] nonNull) {
    for (int i : latest) {
      if (newer) {
        row.v[i] = incoming[i];
      }
    }
    for (int i : nonNull) {
      if (incoming[i] != null && (newer || row.v[i] == null)) {
        row.v[i] = incoming[i];
      }
    }
  }

  private static Long minNullable(Long a, Long b) {
    if (a == null) {
      return b;
    }
    // Not a ternary: mixing Long and long there unboxes both sides and throws on a null b.
    return b == null ? a : Long.valueOf(Math.min(a, b));
  }

  static String taskStatus(TaskEvent e) {
    return switch (e.getKind()) {
      case CREATED -> "pending";
      case ASSIGNED -> "assigned";
      case STARTED -> "in_progress";
      case COMPLETED -> "completed";
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
    };
  }

  static String executionStatus(TaskEvent e) {
    return switch (e.getKind()) {
      case STARTED -> "running";
      case COMPLETED -> "completed";
      case FAILED -> "failed";
      default -> null;
    };
  }

  /**
   * The payload as {@code jsonb} text: as is when it is JSON, else as a JSON string, so that a
   * payload the processor counted is never refused here.
   */
  static String jsonb(String payload) {
    if (payload == null) {
      return null;
    }
    try {
      JSON.readTree(payload);
      return payload;
    } catch (IOException e) {
      return json(payload);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON of a string or map", e);
    }
  }

  /** The statements to run, in foreign-key order. */
  List<Sql.Statement> statements() {
    List<Sql.Statement> out = new ArrayList<>();
    Unnest rows = new Unnest().col("id", "text");
    organizations.keySet().forEach(rows::row);
    out.add(new Sql.Statement(ORGANIZATIONS, rows));
    rows = new Unnest().col("id", "text").col("organization_id", "text");
    for (Map.Entry<String, String> u : users.entrySet()) {
      rows.row(u.getKey(), u.getValue());
    }
    out.add(new Sql.Statement(USERS, rows));
    rows = new Unnest().col("id", "text").col("organization_id", "text");
    for (Map.Entry<String, String> p : projects.entrySet()) {
      rows.row(p.getKey(), p.getValue());
    }
    out.add(new Sql.Statement(PROJECTS, rows));
    rows = agentRows();
    agents.values().forEach(rows::row);
    out.add(new Sql.Statement(AGENTS, rows));
    rows = taskRows();
    for (Row r : tasks.values()) {
      r.v[7] = json(r.json);
      rows.row(r.v);
    }
    out.add(new Sql.Statement(TASKS, rows));
    rows = executionRows();
    for (Row r : executions.values()) {
      rows.row(r.v);
    }
    out.add(new Sql.Statement(EXECUTIONS, rows));
    rows = agentTaskRows();
    for (Row r : agentTasks.values()) {
      r.v[5] = json(r.json);
      rows.row(r.v);
    }
    out.add(new Sql.Statement(AGENT_TASKS, rows));
    out.add(new Sql.Statement(INTEGRATION_EVENTS, integrationEvents));
    return out;
  }
}
