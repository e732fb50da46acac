package dev.hourglass.avro;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rules an event must meet before it is published (the producer rejects it) or counted (the
 * streams processor dead-letters it). One instance is shared by all threads: it holds no mutable
 * state, and for a valid event it allocates nothing but an iterator over a non-empty metadata map.
 *
 * <p>Fields are checked in the order of their schema and the first violation is returned:
 *
 * <ul>
 *   <li>{@code TaskEvent}: event_id, occurred_at, organization_id, project_id, task_id, kind,
 *       priority, assigned_to, title, estimated_hours, actual_hours, execution_id, metadata,
 *       source.
 *   <li>{@code AgentEvent}: event_id, occurred_at, organization_id, project_id, agent_id,
 *       agent_type, agent_task_id, kind, tokens_used, cost_micros, performance_score, duration_ms,
 *       repository.
 *   <li>{@code IntegrationEvent}: event_id, occurred_at, organization_id, integration_type,
 *       event_type, status, latency_ms, payload.
 * </ul>
 *
 * <p>Identifiers must be canonical UUID text (36 characters, lowercase hex, dashes at 8, 13, 18 and
 * 23) so that the text the streams processor deduplicates on and the {@code uuid} PostgreSQL stores
 * are the same value. Values quoted in messages are cut after {@value #QUOTE_MAX} characters.
 */
public final class EventValidator {
  private static final long MAX_COST_MICROS = 999_999_999_999_999_999L;

  static final int QUOTE_MAX = 40;

  private final ValidationLimits limits;
  private final Clock clock;
  private final long maxSkewMillis;

  /** A validator with {@link ValidationLimits#defaults()}. */
  public static EventValidator standard(Clock clock) {
    return new EventValidator(ValidationLimits.defaults(), clock);
  }

  /**
   * @param limits the bounds to enforce
   * @param clock the clock that {@code occurred_at} is compared with
   */
  public EventValidator(ValidationLimits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxSkewMillis = limits.maxFutureSkew().toMillis();
  }

  /**
   * The first rule {@code event} breaks, or empty when it is valid.
   *
   * @param event a {@code TaskEvent}, {@code AgentEvent} or {@code IntegrationEvent}
   * @throws IllegalArgumentException for any other record type
   */
  public Optional<Violation> validate(SpecificRecord event) {
    return validate(event, clock.millis());
  }

  /**
   * The first rule {@code event} breaks when {@code occurred_at} is compared with {@code
   * referenceMillis} rather than this validator's clock. Consumers pass the Kafka record's
   * timestamp: it travels with the record, so every consumer of the same record (the processor, the
   * sink, on any machine, at any time) reaches the same verdict.
   *
   * @param event a {@code TaskEvent}, {@code AgentEvent} or {@code IntegrationEvent}
   * @param referenceMillis the epoch milliseconds {@code occurred_at} may be at most {@link
   *     ValidationLimits#maxFutureSkew()} ahead of
   * @throws IllegalArgumentException for any other record type
   */
  public Optional<Violation> validate(SpecificRecord event, long referenceMillis) {
    Objects.requireNonNull(event, "event");
    Violation violation;
    if (event instanceof TaskEvent task) {
      violation = task(task, referenceMillis);
    } else if (event instanceof AgentEvent agent) {
      violation = agent(agent, referenceMillis);
    } else if (event instanceof IntegrationEvent integration) {
      violation = integration(integration, referenceMillis);
    } else {
      throw new IllegalArgumentException(
          "EventValidator checks TaskEvent, AgentEvent and IntegrationEvent, not "
              + event.getSchema().getFullName());
    }
    return Optional.ofNullable(violation);
  }

  /**
   * Fields stored in PostgreSQL columns narrower than {@link ValidationLimits#maxStringLength()}
   * (schema-sql: tasks.title, codegen_agents.agent_type, integration_events.integration_type and
   * event_type). An event the processor counts must also fit the sink's row, or the books would
   * count it twice (once in a rollup, once as the sink's dead letter).
   */
  static final Map<String, Integer> COLUMN_CAPS =
      Map.of("title", 500, "agent_type", 100, "integration_type", 100, "event_type", 255);

  private Violation task(TaskEvent e, long now) {
    Violation v;
    if ((v = requiredUuid("event_id", e.getEventId())) != null
        || (v = occurredAt(e.getOccurredAt(), now)) != null
        || (v = requiredUuid("organization_id", e.getOrganizationId())) != null
        || (v = requiredUuid("project_id", e.getProjectId())) != null
        || (v = requiredUuid("task_id", e.getTaskId())) != null
        || (v = present("kind", e.getKind())) != null
        || (v = priority(e.getPriority())) != null
        || (v = optionalUuid("assigned_to", e.getAssignedTo())) != null
        || (v = optionalText("title", e.getTitle())) != null
        || (v = hours("estimated_hours", e.getEstimatedHours())) != null
        || (v = hours("actual_hours", e.getActualHours())) != null
        || (v = optionalUuid("execution_id", e.getExecutionId())) != null
        || (v = metadata(e.getMetadata())) != null
        || (v = optionalText("source", e.getSource())) != null) {
      return v;
    }
    return null;
  }

  private Violation agent(AgentEvent e, long now) {
    Violation v;
    if ((v = requiredUuid("event_id", e.getEventId())) != null
        || (v = occurredAt(e.getOccurredAt(), now)) != null
        || (v = requiredUuid("organization_id", e.getOrganizationId())) != null
        || (v = optionalUuid("project_id", e.getProjectId())) != null
        || (v = requiredUuid("agent_id", e.getAgentId())) != null
        || (v = requiredText("agent_type", e.getAgentType())) != null
        || (v = requiredUuid("agent_task_id", e.getAgentTaskId())) != null
        || (v = present("kind", e.getKind())) != null
        || (v = notNegative("tokens_used", e.getTokensUsed())) != null
        || (v = notNegative("cost_micros", e.getCostMicros())) != null
        || (v = costMicros(e.getCostMicros())) != null
        || (v = score(e.getPerformanceScore())) != null
        || (v = e.getDurationMs() == null ? null : notNegative("duration_ms", e.getDurationMs()))
            != null
        || (v = optionalText("repository", e.getRepository())) != null) {
      return v;
    }
    return null;
  }

  private Violation integration(IntegrationEvent e, long now) {
    Violation v;
    if ((v = requiredUuid("event_id", e.getEventId())) != null
        || (v = occurredAt(e.getOccurredAt(), now)) != null
        || (v = requiredUuid("organization_id", e.getOrganizationId())) != null
        || (v = requiredText("integration_type", e.getIntegrationType())) != null
        || (v = requiredText("event_type", e.getEventType())) != null
        || (v = present("status", e.getStatus())) != null
        || (v = notNegative("latency_ms", e.getLatencyMs())) != null
        || (v = payload(e.getPayload())) != null) {
      return v;
    }
    return null;
  }

  private static Violation present(String field, Object value) {
    return value == null ? missing(field) : null;
  }

  private static Violation missing(String field) {
    return new Violation(Violation.INVALID_REQUIRED, field, field + ": missing (null)");
  }

  private static Violation requiredUuid(String field, String value) {
    if (value == null) {
      return missing(field);
    }
    if (value.isEmpty()) {
      return new Violation(Violation.INVALID_REQUIRED, field, field + ": \"\" is empty");
    }
    return optionalUuid(field, value);
  }

  private static Violation optionalUuid(String field, String value) {
    if (value == null || isCanonicalUuid(value)) {
      return null;
    }
    return new Violation(
        Violation.INVALID_UUID, field, field + ": " + quote(value) + " is not a UUID");
  }

  /** 8-4-4-4-12 lowercase hex digits, the form {@link java.util.UUID#toString()} produces. */
  static boolean isCanonicalUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private Violation requiredText(String field, String value) {
    if (value == null) {
      return missing(field);
    }
    if (value.isEmpty()) {
      return new Violation(Violation.INVALID_REQUIRED, field, field + ": \"\" is empty");
    }
    return optionalText(field, value);
  }

  private Violation optionalText(String field, String value) {
    int max =
        Math.min(limits.maxStringLength(), COLUMN_CAPS.getOrDefault(field, Integer.MAX_VALUE));
    if (value == null || !tooLong(value, max)) {
      return null;
    }
    return new Violation(
        Violation.INVALID_TOO_LONG,
        field,
        field + ": " + quote(value) + " is " + length(value) + " characters (limit " + max + ")");
  }

  private Violation metadata(Map<String, String> metadata) {
    if (metadata == null) {
      return missing("metadata");
    }
    if (metadata.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      if (key == null) {
        return new Violation(
            Violation.INVALID_REQUIRED, "metadata", "metadata: key missing (null)");
      }
      if (tooLong(key)) {
        return new Violation(
            Violation.INVALID_TOO_LONG,
            "metadata",
            "metadata: key " + quote(key) + " is " + length(key) + " characters" + limitText());
      }
      if (value == null) {
        return new Violation(
            Violation.INVALID_REQUIRED,
            "metadata",
            "metadata: value of key " + quote(key) + " missing (null)");
      }
      if (tooLong(value)) {
        return new Violation(
            Violation.INVALID_TOO_LONG,
            "metadata",
            "metadata: value of key "
                + quote(key)
                + " is "
                + length(value)
                + " characters"
                + limitText());
      }
    }
    return null;
  }

  private boolean tooLong(String value) {
    return tooLong(value, limits.maxStringLength());
  }

  private static boolean tooLong(String value, int max) {
    // length() counts UTF-16 units, never fewer than code points: only count when it may matter.
    return value.length() > max && value.codePointCount(0, value.length()) > max;
  }

  private static int length(String value) {
    return value.codePointCount(0, value.length());
  }

  private String limitText() {
    return " (limit " + limits.maxStringLength() + ")";
  }

  private Violation occurredAt(Instant occurredAt, long now) {
    if (occurredAt == null) {
      return missing("occurred_at");
    }
    long at;
    try {
      at = occurredAt.toEpochMilli();
    } catch (ArithmeticException e) {
      at = occurredAt.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (at <= now || at - now <= maxSkewMillis) {
      return null;
    }
    return new Violation(
        Violation.INVALID_FUTURE_TIME,
        "occurred_at",
        "occurred_at: "
            + occurredAt
            + " is "
            + (at - now)
            + " ms ahead of the clock (limit "
            + maxSkewMillis
            + " ms)");
  }

  private static Violation priority(int priority) {
    if (priority >= 1 && priority <= 5) {
      return null;
    }
    return new Violation(
        Violation.INVALID_RANGE, "priority", "priority: " + priority + " is outside 1..5");
  }

  /**
   * Below 10^18 micro-dollars: agent_tasks.cost_estimate is numeric(18, 6) dollars, so a larger
   * cost would make the sink refuse an event the processor counted.
   */
  private static Violation costMicros(long value) {
    if (value <= MAX_COST_MICROS) {
      return null;
    }
    return new Violation(
        Violation.INVALID_RANGE,
        "cost_micros",
        "cost_micros: " + value + " is outside 0.." + MAX_COST_MICROS);
  }

  private static Violation notNegative(String field, long value) {
    if (value >= 0) {
      return null;
    }
    return new Violation(Violation.INVALID_NEGATIVE, field, field + ": " + value + " is negative");
  }

  private static Violation hours(String field, Double value) {
    if (value == null) {
      return null;
    }
    double d = value;
    if (!Double.isFinite(d)) {
      return notFinite(field, d);
    }
    if (d < 0) {
      return new Violation(Violation.INVALID_NEGATIVE, field, field + ": " + d + " is negative");
    }
    return null;
  }

  private static Violation score(Double value) {
    if (value == null) {
      return null;
    }
    double d = value;
    if (!Double.isFinite(d)) {
      return notFinite("performance_score", d);
    }
    if (d < 0 || d > 1) {
      return new Violation(
          Violation.INVALID_RANGE,
          "performance_score",
          "performance_score: " + d + " is outside [0, 1]");
    }
    return null;
  }

  private static Violation notFinite(String field, double value) {
    return new Violation(
        Violation.INVALID_NOT_FINITE, field, field + ": " + value + " is not a finite number");
  }

  private Violation payload(String payload) {
    if (payload == null) {
      return null;
    }
    int max = limits.maxPayloadBytes();
    // A UTF-16 unit is 1 to 3 UTF-8 bytes (a surrogate pair 4 for 2): short payloads need no count.
    if ((long) payload.length() * 3 <= max) {
      return null;
    }
    long bytes = utf8Length(payload);
    if (bytes <= max) {
      return null;
    }
    return new Violation(
        Violation.INVALID_PAYLOAD_TOO_LARGE,
        "payload",
        "payload: " + quote(payload) + " is " + bytes + " bytes in UTF-8 (limit " + max + ")");
  }

  /** UTF-8 length without encoding; an unpaired surrogate counts as the 1 byte '?' it becomes. */
  static long utf8Length(String s) {
    long bytes = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * The value in double quotes, cut after {@value #QUOTE_MAX} characters ("..." marks the cut),
   * with quotes, backslashes and control characters escaped so that the message stays one line.
   */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(QUOTE_MAX + 8).append('"');
    int end = Math.min(value.length(), QUOTE_MAX);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (end < value.length()) {
      out.append("...");
    }
    return out.append('"').toString();
  }
}
