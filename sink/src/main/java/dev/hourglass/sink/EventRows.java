package dev.hourglass.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rows {@link EventWrites} sends, one record per table, each made from one event. A row that
 * several events of a batch address is their fold: {@code merge(later)} folds in the row of an
 * event consumed later, with the rule the upsert applies against the stored row. The event with the
 * latest {@code occurred_at} sets the status (a tie goes to the later event: the later offset); the
 * newest non-null value of each other attribute wins; {@code created_at} and {@code started_at}
 * take the earliest, {@code last_event_at} the latest; JSON maps are merged, the newer event's keys
 * winning. Times are epoch milliseconds.
 */
final class EventRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How JSON text writes the NUL character. */
  private static final String NUL_ESCAPE = "\\u0000";

  private EventRows() {}

  /** An organization an event references, inserted if missing with a placeholder name. */
  record OrganizationRow(String id) {}

  /** A user a task is assigned to; the first event that references it names its organization. */
  record UserRow(String id, String organizationId) {}

  /** A project a task belongs to; the first event that references it names its organization. */
  record ProjectRow(String id, String organizationId) {}

  /** A row of {@code codegen_agents}: the agent type and time of its latest run event. */
  record AgentRow(String id, String organizationId, String agentType, long lastUsedAt) {
    static AgentRow of(AgentEvent e) {
      return new AgentRow(
          e.getAgentId(),
          e.getOrganizationId(),
          e.getAgentType(),
          e.getOccurredAt().toEpochMilli());
    }

    /** Only a strictly later use moves the agent (and its type); its organization stays. */
    AgentRow merge(AgentRow later) {
      return later.lastUsedAt > lastUsedAt
          ? new AgentRow(id, organizationId, later.agentType, later.lastUsedAt)
          : this;
    }
  }

  /** A row of {@code tasks}. */
  record TaskRow(
      String id,
      String organizationId,
      String projectId,
      String title,
      String status,
      int priority,
      String assignedTo,
      Map<String, String> metadata,
      Double estimatedHours,
      Double actualHours,
      long createdAt,
      long lastEventAt) {
    TaskRow {
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    static TaskRow of(TaskEvent e) {
      long at = e.getOccurredAt().toEpochMilli();
      return new TaskRow(
          e.getTaskId(),
          e.getOrganizationId(),
          e.getProjectId(),
          e.getTitle(),
          taskStatus(e),
          e.getPriority(),
          e.getAssignedTo(),
          e.getMetadata(),
          e.getEstimatedHours(),
          e.getActualHours(),
          at,
          at);
    }

    /** Status and priority from the latest event; the task's id, organization, project stay. */
    TaskRow merge(TaskRow later) {
      boolean newer = later.lastEventAt >= lastEventAt;
      return new TaskRow(
          id,
          organizationId,
          projectId,
          newestNonNull(title, later.title, newer),
          newer ? later.status : status,
          newer ? later.priority : priority,
          newestNonNull(assignedTo, later.assignedTo, newer),
          merged(metadata, later.metadata, newer),
          newestNonNull(estimatedHours, later.estimatedHours, newer),
          newestNonNull(actualHours, later.actualHours, newer),
          Math.min(createdAt, later.createdAt),
          Math.max(lastEventAt, later.lastEventAt));
    }
  }

  /** A row of {@code task_executions}, from the STARTED, COMPLETED and FAILED steps of a task. */
  record ExecutionRow(
      String id,
      String organizationId,
      String taskId,
      String status,
      Long startedAt,
      Long completedAt,
      long lastEventAt) {

    /** The execution a task event is a step of, or null when it is none. */
    static ExecutionRow of(TaskEvent e) {
      String status = executionStatus(e);
      if (e.getExecutionId() == null || status == null) {
        return null;
      }
      long at = e.getOccurredAt().toEpochMilli();
      boolean started = status.equals("running");
      return new ExecutionRow(
          e.getExecutionId(),
          e.getOrganizationId(),
          e.getTaskId(),
          status,
          started ? at : null,
          started ? null : at,
          at);
    }

    ExecutionRow merge(ExecutionRow later) {
      boolean newer = later.lastEventAt >= lastEventAt;
      return new ExecutionRow(
          id,
          organizationId,
          taskId,
          newer ? later.status : status,
          earliest(startedAt, later.startedAt),
          newestNonNull(completedAt, later.completedAt, newer),
          Math.max(lastEventAt, later.lastEventAt));
    }
  }

  /**
   * A row of {@code agent_tasks} (an agent's run). Tokens and cost are the run's totals so far: the
   * latest event's, like the status. {@code context} holds the repository.
   */
  record AgentTaskRow(
      String id,
      String organizationId,
      String agentId,
      String projectId,
      String status,
      Map<String, String> context,
      long tokensUsed,
      long costMicros,
      Double performanceScore,
      Long durationMs,
      Long startedAt,
      Long completedAt,
      long lastEventAt) {
    AgentTaskRow {
      context = Collections.unmodifiableMap(new LinkedHashMap<>(context));
    }

    static AgentTaskRow of(AgentEvent e) {
      long at = e.getOccurredAt().toEpochMilli();
      String status =
          switch (e.getKind()) {
            case STARTED -> "running";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
          };
      boolean started = status.equals("running");
      return new AgentTaskRow(
          e.getAgentTaskId(),
          e.getOrganizationId(),
          e.getAgentId(),
          e.getProjectId(),
          status,
          e.getRepository() == null ? Map.of() : Map.of("repository", e.getRepository()),
          e.getTokensUsed(),
          e.getCostMicros(),
          e.getPerformanceScore(),
          e.getDurationMs(),
          started ? at : null,
          started ? null : at,
          at);
    }

    AgentTaskRow merge(AgentTaskRow later) {
      boolean newer = later.lastEventAt >= lastEventAt;
      return new AgentTaskRow(
          id,
          organizationId,
          agentId,
          newestNonNull(projectId, later.projectId, newer),
          newer ? later.status : status,
          merged(context, later.context, newer),
          newer ? later.tokensUsed : tokensUsed,
          newer ? later.costMicros : costMicros,
          newestNonNull(performanceScore, later.performanceScore, newer),
          newestNonNull(durationMs, later.durationMs, newer),
          earliest(startedAt, later.startedAt),
          newestNonNull(completedAt, later.completedAt, newer),
          Math.max(lastEventAt, later.lastEventAt));
    }
  }

  /**
   * A row of {@code integration_events}, append-only (insert-or-ignore): never folded. {@code
   * payload} is {@code jsonb} text, see {@link #jsonb}.
   */
  record IntegrationEventRow(
      String id,
      String organizationId,
      String integrationType,
      String eventType,
      String status,
      boolean processed,
      long latencyMs,
      String payload,
      long createdAt) {
    static IntegrationEventRow of(IntegrationEvent e) {
      return new IntegrationEventRow(
          e.getEventId(),
          e.getOrganizationId(),
          e.getIntegrationType(),
          e.getEventType(),
          e.getStatus().name().toLowerCase(Locale.ROOT),
          e.getProcessed(),
          e.getLatencyMs(),
          jsonb(e.getPayload()),
          e.getOccurredAt().toEpochMilli());
    }
  }

  /** The later event's value when it has one and is the newer; else the current value if any. */
  private static <T> T newestNonNull(T current, T later, boolean laterIsNewer) {
    return later != null && (laterIsNewer || current == null) ? later : current;
  }

  private static Long earliest(Long a, Long b) {
    if (a == null) {
      return b;
    }
    // Not a ternary: mixing Long and long there unboxes both sides and throws on a null b.
    return b == null ? a : Long.valueOf(Math.min(a, b));
  }

  /** Both maps; on a key in both, the newer event's value. */
  private static Map<String, String> merged(
      Map<String, String> current, Map<String, String> later, boolean laterIsNewer) {
    Map<String, String> out = new LinkedHashMap<>(current);
    if (laterIsNewer) {
      out.putAll(later);
    } else {
      later.forEach(out::putIfAbsent);
    }
    return out;
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

  /** The execution's status after a task event, or null for steps that are not an execution's. */
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
    // jsonb cannot hold the NUL character, escaped or not: such JSON is kept as a JSON string.
    if (!payload.contains(NUL_ESCAPE)) {
      try {
        JSON.readTree(payload);
        return payload;
      } catch (IOException e) {
        // Not JSON: kept as a JSON string below.
      }
    }
    return json(payload);
  }

  /**
   * A string or a map of strings as JSON text that {@code jsonb} accepts: NUL, which it cannot
   * hold, becomes a space, as in text columns ({@link Sql#storable}).
   */
  static String json(Object value) {
    Object storable = value;
    if (value instanceof String text) {
      storable = Sql.storable(text);
    } else if (value instanceof Map<?, ?> map) {
      Map<String, String> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(Sql.storable((String) k), Sql.storable((String) v)));
      storable = copy;
    }
    try {
      return JSON.writeValueAsString(storable);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON of a string or map", e);
    }
  }
}
