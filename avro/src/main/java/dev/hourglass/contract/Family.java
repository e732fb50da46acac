package dev.hourglass.contract;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The pipeline's event families, declared once: each family's name, the entity its rollups count
 * per, its event, rollup and correction types, and its event topic. Every module reads them from
 * here and dispatches on a family, not on a chain of {@code instanceof}. Adding a family: {@code
 * docs/contracts.md}, "Adding a family".
 *
 * <p>The shape every family shares is checked when this class loads, so a family whose schemas lack
 * part of it fails at once: its event carries {@code event_id}, {@code occurred_at}, {@code
 * organization_id} and its entity key field; its rollup and correction carry {@code
 * organization_id}, the same entity key field and {@code window_start}; the rollup's {@code
 * measures} and the correction's {@code delta} are one measures record.
 *
 * <p>Lookups named {@code for...} answer {@link Optional#empty()} for a type or name that is no
 * family's; those named {@code of...} throw {@link IllegalArgumentException} saying what they were
 * given and what they expected.
 */
public enum Family {
  /** Task steps, counted per (organization, project). */
  TASK("task", "project", "project_id", TaskEvent.class, TaskRollup.class, TaskCorrection.class),
  /** Agent runs, counted per (organization, agent). */
  AGENT("agent", "agent", "agent_id", AgentEvent.class, AgentRollup.class, AgentCorrection.class),
  /** Integration calls, counted per (organization, integration type). */
  INTEGRATION(
      "integration",
      "integration",
      "integration_type",
      IntegrationEvent.class,
      IntegrationRollup.class,
      IntegrationCorrection.class);

  private static final Map<Class<?>, Family> BY_EVENT_TYPE = new HashMap<>();
  private static final Map<Class<?>, Family> BY_ROLLUP_TYPE = new HashMap<>();

  static {
    for (Family f : values()) {
      BY_EVENT_TYPE.put(f.eventType, f);
      BY_ROLLUP_TYPE.put(f.rollupType, f);
      BY_ROLLUP_TYPE.put(f.correctionType, f);
    }
  }

  private final String id;
  private final String entityType;
  private final String entityKeyField;
  private final Class<? extends SpecificRecord> eventType;
  private final Class<? extends SpecificRecord> rollupType;
  private final Class<? extends SpecificRecord> correctionType;
  private final Schema measuresSchema;
  private final Fields event;
  private final Fields rollup;
  private final Fields correction;

  Family(
      String id,
      String entityType,
      String entityKeyField,
      Class<? extends SpecificRecord> eventType,
      Class<? extends SpecificRecord> rollupType,
      Class<? extends SpecificRecord> correctionType) {
    this.id = id;
    this.entityType = entityType;
    this.entityKeyField = entityKeyField;
    this.eventType = eventType;
    this.rollupType = rollupType;
    this.correctionType = correctionType;
    Schema eventSchema = SpecificData.get().getSchema(eventType);
    Schema rollupSchema = SpecificData.get().getSchema(rollupType);
    Schema correctionSchema = SpecificData.get().getSchema(correctionType);
    this.event =
        new Fields(
            position(eventSchema, "organization_id", Schema.Type.STRING),
            position(eventSchema, entityKeyField, Schema.Type.STRING),
            position(eventSchema, "event_id", Schema.Type.STRING),
            position(eventSchema, "occurred_at", Schema.Type.LONG),
            -1);
    this.rollup = aggregate(rollupSchema, entityKeyField, "measures");
    this.correction = aggregate(correctionSchema, entityKeyField, "delta");
    this.measuresSchema = rollupSchema.getField("measures").schema();
    Schema delta = correctionSchema.getField("delta").schema();
    if (!measuresSchema.equals(delta)) {
      throw new IllegalStateException(
          correctionSchema.getFullName()
              + ".delta is a "
              + delta.getFullName()
              + ", not the "
              + measuresSchema.getFullName()
              + " of "
              + rollupSchema.getFullName()
              + ".measures");
    }
  }

  /** Where the contract's fields sit in one record type; -1 where the type has none. */
  private record Fields(
      int organizationId, int entityKey, int eventId, int occurredAt, int windowStart) {}

  private static Fields aggregate(Schema schema, String entityKeyField, String measures) {
    position(schema, measures, Schema.Type.RECORD);
    return new Fields(
        position(schema, "organization_id", Schema.Type.STRING),
        position(schema, entityKeyField, Schema.Type.STRING),
        -1,
        -1,
        position(schema, "window_start", Schema.Type.LONG));
  }

  private static int position(Schema schema, String field, Schema.Type type) {
    Schema.Field f = schema.getField(field);
    if (f == null || f.schema().getType() != type) {
      throw new IllegalStateException(
          schema.getFullName()
              + " has no "
              + type.getName()
              + " field "
              + field
              + ": every family's records carry it (docs/contracts.md, \"Adding a family\")");
    }
    if (type == Schema.Type.LONG) {
      LogicalType logical = f.schema().getLogicalType();
      if (!(logical instanceof LogicalTypes.TimestampMillis)) {
        throw new IllegalStateException(
            schema.getFullName() + "." + field + " must be a timestamp-millis");
      }
    }
    return f.pos();
  }

  /**
   * {@code task}, {@code agent} or {@code integration}: the family's name in state store, node,
   * rule and ledger names, and the first part of its event topic's name.
   */
  public String id() {
    return id;
  }

  /** {@code project}, {@code agent} or {@code integration}: the entity_type of its alerts. */
  public String entityType() {
    return entityType;
  }

  /**
   * The field that names the entity in the family's event, rollup and correction alike ({@code
   * project_id}, {@code agent_id}, {@code integration_type}), and the column in its rollup table.
   */
  public String entityKeyField() {
    return entityKeyField;
  }

  public Class<? extends SpecificRecord> eventType() {
    return eventType;
  }

  /** The running or final total of one hour of one entity. */
  public Class<? extends SpecificRecord> rollupType() {
    return rollupType;
  }

  /** The delta that late events add to a closed hour. */
  public Class<? extends SpecificRecord> correctionType() {
    return correctionType;
  }

  /**
   * The measures record of the rollup ({@code measures}) and the correction ({@code delta}): the
   * measure columns of the family's rollup table.
   */
  public Schema measuresSchema() {
    return measuresSchema;
  }

  /** The base name of the family's event topic, before the prefix: {@code <id>-events}. */
  public String eventTopicBase() {
    return id + "-events";
  }

  /** The event's {@code event_id}. */
  public String eventId(SpecificRecord event) {
    return (String) event.get(eventFields(event).eventId());
  }

  /** The event's {@code occurred_at}: event time, on which windows are computed. */
  public Instant occurredAt(SpecificRecord event) {
    return (Instant) event.get(eventFields(event).occurredAt());
  }

  /** The {@code organization_id} of this family's event, rollup or correction. */
  public String organizationId(SpecificRecord record) {
    return (String) record.get(fields(record).organizationId());
  }

  /** The entity key ({@link #entityKeyField()}) of this family's event, rollup or correction. */
  public String entityKey(SpecificRecord record) {
    return (String) record.get(fields(record).entityKey());
  }

  /** The {@code window_start} of this family's rollup or correction. */
  public Instant windowStart(SpecificRecord rollupOrCorrection) {
    Class<?> type = rollupOrCorrection.getClass();
    if (type == rollupType) {
      return (Instant) rollupOrCorrection.get(rollup.windowStart());
    }
    if (type == correctionType) {
      return (Instant) rollupOrCorrection.get(correction.windowStart());
    }
    throw new IllegalArgumentException(
        "a "
            + rollupOrCorrection.getSchema().getFullName()
            + " is not the "
            + id
            + " family's rollup or correction ("
            + rollupType.getSimpleName()
            + ", "
            + correctionType.getSimpleName()
            + ")");
  }

  private Fields eventFields(SpecificRecord event) {
    if (event.getClass() != eventType) {
      throw new IllegalArgumentException(
          "a "
              + event.getSchema().getFullName()
              + " is not the "
              + id
              + " family's event ("
              + eventType.getSimpleName()
              + ")");
    }
    return this.event;
  }

  private Fields fields(SpecificRecord record) {
    Class<?> type = record.getClass();
    if (type == eventType) {
      return event;
    }
    if (type == rollupType) {
      return rollup;
    }
    if (type == correctionType) {
      return correction;
    }
    throw new IllegalArgumentException(
        "a "
            + record.getSchema().getFullName()
            + " is not the "
            + id
            + " family's event, rollup or correction ("
            + eventType.getSimpleName()
            + ", "
            + rollupType.getSimpleName()
            + ", "
            + correctionType.getSimpleName()
            + ")");
  }

  /** The family whose {@link #id()} is {@code id}. */
  public static Optional<Family> forId(String id) {
    for (Family f : values()) {
      if (f.id.equals(id)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The family whose event type is exactly {@code type}. */
  public static Optional<Family> forEventType(Class<?> type) {
    return Optional.ofNullable(BY_EVENT_TYPE.get(type));
  }

  /** The family whose rollup or correction type is exactly {@code type}. */
  public static Optional<Family> forRollupType(Class<?> type) {
    return Optional.ofNullable(BY_ROLLUP_TYPE.get(type));
  }

  /**
   * The family of {@code event}.
   *
   * @throws IllegalArgumentException when it is no family's event (a rollup, an alert, ...)
   */
  public static Family ofEvent(SpecificRecord event) {
    Family f = BY_EVENT_TYPE.get(event.getClass());
    if (f == null) {
      throw new IllegalArgumentException(
          "a "
              + event.getSchema().getFullName()
              + " is not the event of any family (events: "
              + list(Family::eventType)
              + ")");
    }
    return f;
  }

  /**
   * The family of a rollup or a correction.
   *
   * @throws IllegalArgumentException when it is neither (an event, an alert, ...)
   */
  public static Family ofRollup(SpecificRecord rollupOrCorrection) {
    Family f = BY_ROLLUP_TYPE.get(rollupOrCorrection.getClass());
    if (f == null) {
      throw new IllegalArgumentException(
          "a "
              + rollupOrCorrection.getSchema().getFullName()
              + " is not the rollup or correction of any family (rollups: "
              + list(Family::rollupType)
              + "; corrections: "
              + list(Family::correctionType)
              + ")");
    }
    return f;
  }

  private static String list(Function<Family, Class<?>> type) {
    return Arrays.stream(values())
        .map(f -> type.apply(f).getSimpleName())
        .collect(Collectors.joining(", "));
  }
}
