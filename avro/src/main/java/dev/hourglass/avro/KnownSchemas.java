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
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every schema a reader may meet, by CRC-64-AVRO fingerprint: the current version of each top-level
 * type, plus every released version kept in the schema history. Records written with any of them
 * decode into the current generated class.
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

  private final Map<Long, Entry> byFingerprint;

  private KnownSchemas(Map<Long, Entry> byFingerprint) {
    this.byFingerprint = Map.copyOf(byFingerprint);
  }

  /** Current schemas of {@link #TYPES} and every older version found in the schema history. */
  public static KnownSchemas standard() {
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
    return new KnownSchemas(map);
  }

  static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  Entry find(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  int size() {
    return byFingerprint.size();
  }
}
