package dev.hourglass.avro;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every schema a reader may meet, by CRC-64-AVRO fingerprint: the current version of each top-level
 * type, plus every released version kept in the schema history. Records written with any of them
 * decode into the current generated class.
 *
 * <p>A fingerprint none of those has is looked up in a {@link SchemaSource} (the published schemas,
 * {@link SchemaTopic}): a newer version of a known type that Avro can resolve into the current one
 * (an optional field added, say) is then read like a built-in version, its new fields skipped. A
 * published schema that cannot be resolved is remembered as refused, with the reason.
 */
public final class KnownSchemas {
  /** The top-level record types that travel on topics. */
  public static final List<Class<? extends SpecificRecord>> TYPES =
      List.of(
          TaskEvent.class,
          AgentEvent.class,
          IntegrationEvent.class,
          TaskRollup.class,
          AgentRollup.class,
          IntegrationRollup.class,
          TaskCorrection.class,
          AgentCorrection.class,
          IntegrationCorrection.class,
          Alert.class,
          DeadLetter.class);

  /** A writer schema and the current type its records are read into. */
  record Entry(Schema writer, Schema reader, Class<? extends SpecificRecord> type) {}

  private final Map<Long, Entry> builtIn;
  private final Map<String, Class<? extends SpecificRecord>> typesByName;
  private final SchemaSource published;
  // Published schemas already resolved, and those refused (fingerprint to why): a published
  // fingerprint always names the same schema, so either verdict holds for good.
  private final Map<Long, Entry> resolved = new ConcurrentHashMap<>();
  private final Map<Long, String> refused = new ConcurrentHashMap<>();

  private KnownSchemas(
      Map<Long, Entry> builtIn,
      Map<String, Class<? extends SpecificRecord>> typesByName,
      SchemaSource published) {
    this.builtIn = Map.copyOf(builtIn);
    this.typesByName = Map.copyOf(typesByName);
    this.published = published;
  }

  /** Current schemas of {@link #TYPES} and every older version found in the schema history. */
  public static KnownSchemas standard() {
    return standard(SchemaSource.NONE);
  }

  /**
   * The {@link #standard()} schemas, and any schema {@code published} holds that resolves into one
   * of {@link #TYPES}.
   */
  public static KnownSchemas standard(SchemaSource published) {
    Map<Long, Entry> map = new HashMap<>();
    Map<String, Class<? extends SpecificRecord>> byName = new HashMap<>();
    for (Class<? extends SpecificRecord> type : TYPES) {
      Schema current = SpecificData.get().getSchema(type);
      byName.put(current.getFullName(), type);
      map.put(fingerprint(current), new Entry(current, current, type));
    }
    for (Schema old : SchemaHistory.released()) {
      Class<? extends SpecificRecord> type = byName.get(old.getFullName());
      if (type != null) {
        map.putIfAbsent(fingerprint(old), new Entry(old, SpecificData.get().getSchema(type), type));
      }
    }
    return new KnownSchemas(map, byName, published);
  }

  static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The entry to read {@code fingerprint} with, or null when it is unknown or refused. */
  Entry find(long fingerprint) {
    Entry entry = builtIn.get(fingerprint);
    if (entry == null) {
      entry = resolved.get(fingerprint);
    }
    if (entry != null || refused.containsKey(fingerprint)) {
      return entry;
    }
    Optional<Schema> writer = published.find(fingerprint);
    if (writer.isEmpty()) {
      // Not cached: the schema may be published later, before the records written with it.
      return null;
    }
    String why = refusal(writer.get(), fingerprint);
    if (why != null) {
      refused.put(fingerprint, why);
      return null;
    }
    Class<? extends SpecificRecord> type = typesByName.get(writer.get().getFullName());
    Entry fresh = new Entry(writer.get(), SpecificData.get().getSchema(type), type);
    resolved.put(fingerprint, fresh);
    return fresh;
  }

  /** Why a published schema with {@code fingerprint} cannot be read, or null when it can. */
  String refused(long fingerprint) {
    return refused.get(fingerprint);
  }

  private String refusal(Schema writer, long fingerprint) {
    if (fingerprint(writer) != fingerprint) {
      return "the schema published under it has fingerprint "
          + String.format("%016x", fingerprint(writer));
    }
    Class<? extends SpecificRecord> type = typesByName.get(writer.getFullName());
    if (type == null) {
      return "it is published as " + writer.getFullName() + ", which is no type this process reads";
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(
            SpecificData.get().getSchema(type), writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return "it is published, but "
          + writer.getFullName()
          + " written with it cannot be read as this process's version: "
          + compatibility.getResult().getIncompatibilities().stream()
              .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
              .toList();
    }
    return null;
  }

  int size() {
    return builtIn.size();
  }
}
