package dev.hourglass.contract;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The pipeline's topics under one prefix, each with the serdes of its key and value: the event
 * topic of every {@link Family} ({@code task-events}, {@code agent-events}, {@code
 * integration-events}), then {@code rollups}, {@code alerts}, {@code dead-letters}, {@code stats}
 * and {@code schemas}. Their names are declared here and nowhere else (a test fails when another
 * module spells one out); keys and values are as {@code docs/contracts.md}, "Topics", describes
 * them. Immutable.
 */
public final class Topics {
  /** The prefix every module uses unless configured otherwise. */
  public static final String DEFAULT_PREFIX = "hourglass.";

  public static final String ROLLUPS = "rollups";
  public static final String ALERTS = "alerts";
  public static final String DEAD_LETTERS = "dead-letters";
  public static final String STATS = "stats";
  public static final String SCHEMAS = "schemas";

  /**
   * Every base name: the families' event topics in family order, then the four outputs, then the
   * published schemas.
   */
  public static final List<String> BASES = bases();

  private final String prefix;
  private final AlertsFormat alertsFormat;
  private final Map<Family, Topic<String, SpecificRecord>> events = new EnumMap<>(Family.class);
  private final Topic<String, SpecificRecord> rollups;
  private final Topic<String, Alert> alerts;
  private final Topic<byte[], DeadLetter> deadLetters;
  private final Topic<String, String> stats;
  private final Topic<String, byte[]> schemas;
  private final RecordFormat format;
  private final Map<String, Set<Class<? extends SpecificRecord>>> valueTypes = new HashMap<>();

  private Topics(String prefix, AlertsFormat alertsFormat, RecordFormat format) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.alertsFormat = Objects.requireNonNull(alertsFormat, "alertsFormat");
    this.format = Objects.requireNonNull(format, "format");
    for (Family f : Family.values()) {
      Topic<String, SpecificRecord> topic =
          new Topic<>(
              prefix + f.eventTopicBase(), Serdes.String(), only(Set.of(f.eventType()), format));
      events.put(f, topic);
      valueTypes.put(topic.name(), Set.of(f.eventType()));
    }
    Set<Class<? extends SpecificRecord>> aggregates = new LinkedHashSet<>();
    for (Family f : Family.values()) {
      aggregates.add(f.rollupType());
      aggregates.add(f.correctionType());
    }
    rollups = new Topic<>(prefix + ROLLUPS, Serdes.String(), only(aggregates, format));
    alerts = new Topic<>(prefix + ALERTS, Serdes.String(), alertsFormat.serde(format));
    deadLetters =
        new Topic<>(
            prefix + DEAD_LETTERS, Serdes.ByteArray(), AvroSerdes.serde(DeadLetter.class, format));
    stats = new Topic<>(prefix + STATS, Serdes.String(), Serdes.String());
    schemas = new Topic<>(prefix + SCHEMAS, Serdes.String(), Serdes.ByteArray());
    valueTypes.put(rollups.name(), Set.copyOf(aggregates));
    valueTypes.put(alerts.name(), Set.of(Alert.class));
    valueTypes.put(deadLetters.name(), Set.of(DeadLetter.class));
  }

  /** The topics named {@code <prefix><base>}, alerts written in Avro. */
  public static Topics withPrefix(String prefix) {
    return withPrefix(prefix, AlertsFormat.AVRO);
  }

  /** The topics named {@code <prefix><base>}, alerts written in {@code alertsFormat}. */
  public static Topics withPrefix(String prefix, AlertsFormat alertsFormat) {
    return new Topics(prefix, alertsFormat, SingleObjectFormat.standard());
  }

  /**
   * These topics with their Avro values (events, rollups, corrections, alerts, dead letters) read
   * and written in {@code format}: for a reader that also resolves published schemas ({@link
   * dev.hourglass.avro.SchemaTopic}).
   */
  public Topics withFormat(RecordFormat format) {
    return new Topics(prefix, alertsFormat, format);
  }

  public String prefix() {
    return prefix;
  }

  /**
   * {@code <prefix><base>}.
   *
   * @throws IllegalArgumentException when {@code base} is not one of {@link #BASES}
   */
  public String name(String base) {
    if (!BASES.contains(base)) {
      throw new IllegalArgumentException("unknown topic " + base + " (known: " + BASES + ")");
    }
    return prefix + base;
  }

  /** The event topic of {@code family}: key organization_id, value that family's event. */
  public Topic<String, SpecificRecord> events(Family family) {
    return events.get(family);
  }

  /** Every event topic, in family order. */
  public List<Topic<String, SpecificRecord>> events() {
    return List.copyOf(events.values());
  }

  /** Rollups and corrections of every family, keyed by organization_id. */
  public Topic<String, SpecificRecord> rollups() {
    return rollups;
  }

  /**
   * Alerts keyed by {@code <rule>|<organization_id>|<entity_key>}, written in the format these
   * topics were built with and read in either ({@link AlertsFormat}).
   */
  public Topic<String, Alert> alerts() {
    return alerts;
  }

  /** Dead letters keyed by the source record's key bytes. */
  public Topic<byte[], DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** The processor's books per input partition: key {@code <input topic>-<partition>}, JSON. */
  public Topic<String, String> stats() {
    return stats;
  }

  /**
   * The published writer schemas: key the fingerprint in 16 lowercase hex digits, value the
   * schema's JSON ({@link dev.hourglass.avro.SchemaTopic}). Compacted.
   */
  public Topic<String, byte[]> schemas() {
    return schemas;
  }

  /** How the Avro values of these topics are encoded and decoded. */
  public RecordFormat format() {
    return format;
  }

  /** All names, in the order of {@link #BASES}. */
  public List<String> names() {
    return BASES.stream().map(b -> prefix + b).toList();
  }

  /**
   * The Avro types that topic {@code name} carries; empty for {@code stats} (JSON text), {@code
   * schemas} (schema JSON) and a name that is none of these topics.
   */
  public Set<Class<? extends SpecificRecord>> valueTypes(String name) {
    return valueTypes.getOrDefault(name, Set.of());
  }

  @Override
  public String toString() {
    return "Topics" + names();
  }

  private static List<String> bases() {
    List<String> bases = new ArrayList<>();
    for (Family f : Family.values()) {
      bases.add(f.eventTopicBase());
    }
    bases.addAll(List.of(ROLLUPS, ALERTS, DEAD_LETTERS, STATS, SCHEMAS));
    return List.copyOf(bases);
  }

  /**
   * Single-object Avro restricted to {@code types}: a record of another type is refused when
   * written (a bug) and when read ({@code WRONG_TYPE}, a data error to dead-letter).
   */
  private static Serde<SpecificRecord> only(
      Set<Class<? extends SpecificRecord>> types, RecordFormat format) {
    Serde<SpecificRecord> any = AvroSerdes.serde(SpecificRecord.class, format);
    Set<Class<? extends SpecificRecord>> allowed = Set.copyOf(types);
    String expected = types.stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
    Serializer<SpecificRecord> serializer =
        (topic, record) -> {
          if (record != null && !allowed.contains(record.getClass())) {
            throw new IllegalArgumentException(
                "a "
                    + record.getSchema().getFullName()
                    + " does not belong on topic "
                    + topic
                    + " (it carries "
                    + expected
                    + ")");
          }
          return any.serializer().serialize(topic, record);
        };
    Deserializer<SpecificRecord> deserializer =
        (topic, bytes) -> {
          SpecificRecord record = any.deserializer().deserialize(topic, bytes);
          if (!allowed.contains(record.getClass())) {
            throw new BadRecordException(
                BadRecordException.Reason.WRONG_TYPE,
                topic,
                "expected " + expected + ", got " + record.getSchema().getFullName(),
                null);
          }
          return record;
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
