package dev.hourglass.bench.peers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hourglass.contract.Family;
import java.util.List;

/**
 * A rollup row as Kafka Connect's {@code JsonConverter} reads it with schemas enabled ({@code
 * {"schema": ..., "payload": ...}}): the Debezium JDBC sink needs typed, structured records. The
 * key holds the row's primary key (organization, entity, hour as Connect's {@code Timestamp}), the
 * value its measures.
 */
final class ConnectJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Family family;
  private final List<String> measures;
  private final ObjectNode keySchema;
  private final ObjectNode valueSchema;

  ConnectJson(Family family) {
    this.family = family;
    this.measures = Measures.names(family);
    this.keySchema = struct(family.id() + "_rollup_key");
    ArrayNode keyFields = keySchema.putArray("fields");
    keyFields.add(field("string", "organization_id"));
    keyFields.add(field("string", family.entityKeyField()));
    ObjectNode windowStart = field("int64", "window_start");
    windowStart.put("name", "org.apache.kafka.connect.data.Timestamp");
    windowStart.put("version", 1);
    keyFields.add(windowStart);
    this.valueSchema = struct(family.id() + "_rollup_value");
    ArrayNode valueFields = valueSchema.putArray("fields");
    for (String m : measures) {
      valueFields.add(field("int64", m));
    }
  }

  /** The key of the row of {@code organization} and {@code entity} in the hour starting then. */
  String key(String organization, String entity, long windowStartMillis) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("organization_id", organization);
    payload.put(family.entityKeyField(), entity);
    payload.put("window_start", windowStartMillis);
    return write(keySchema, payload);
  }

  /** The value: the row's measures. */
  String value(long[] m) {
    ObjectNode payload = JSON.createObjectNode();
    for (int i = 0; i < measures.size(); i++) {
      payload.put(measures.get(i), m[i]);
    }
    return write(valueSchema, payload);
  }

  private static ObjectNode struct(String name) {
    ObjectNode s = JSON.createObjectNode();
    s.put("type", "struct");
    s.put("name", name);
    s.put("optional", false);
    return s;
  }

  private static ObjectNode field(String type, String name) {
    ObjectNode f = JSON.createObjectNode();
    f.put("type", type);
    f.put("optional", false);
    f.put("field", name);
    return f;
  }

  private static String write(ObjectNode schema, ObjectNode payload) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.set("schema", schema);
    envelope.set("payload", payload);
    try {
      return JSON.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a Connect JSON record", e);
    }
  }
}
