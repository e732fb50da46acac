package dev.hourglass.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.JsonView;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How alerts are written on the alerts topic. A reader need not know which one the processor was
 * configured with: {@link #of(byte[])} tells them apart by the first byte (a JSON object starts
 * with {@code '{'}, single-object Avro with {@code C3}), and {@link #decode} reads both, so the
 * sink and every alert consumer read one contract.
 */
public enum AlertsFormat {
  /** Single-object Avro {@code Alert}, like every other topic. */
  AVRO,
  /**
   * One line of UTF-8 JSON per alert ({@link JsonView}: Avro field names, ISO-8601 times, enum
   * names), for small consumers in other languages that have no Avro library at hand.
   */
  JSON;

  private static final Serde<Alert> AVRO_SERDE = AvroSerdes.serde(Alert.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** {@code alert} in this format. */
  public byte[] encode(Alert alert) {
    return this == JSON
        ? JsonView.toJson(alert).getBytes(StandardCharsets.UTF_8)
        : AVRO_SERDE.serializer().serialize(null, alert);
  }

  /** The format {@code value} was written in. */
  public static AlertsFormat of(byte[] value) {
    return value != null && value.length > 0 && value[0] == '{' ? JSON : AVRO;
  }

  /**
   * The alert in {@code value}, written in either format.
   *
   * @throws BadRecordException when it is neither a JSON alert nor an Avro one ({@code
   *     NOT_SINGLE_OBJECT} for JSON that is not an alert)
   */
  public static Alert decode(String topic, byte[] value) {
    if (of(value) == AVRO) {
      return AVRO_SERDE.deserializer().deserialize(topic, value);
    }
    try {
      return fromJson(value);
    } catch (IOException | RuntimeException e) {
      throw new BadRecordException(
          BadRecordException.Reason.NOT_SINGLE_OBJECT,
          topic,
          "not a JSON alert: " + e.getMessage(),
          e);
    }
  }

  /** Writes alerts in this format; reads them in either. */
  public Serde<Alert> serde() {
    Serializer<Alert> serializer = (topic, alert) -> alert == null ? null : encode(alert);
    Deserializer<Alert> deserializer = AlertsFormat::decode;
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /**
   * Writes alerts in this format; reads them in either, Avro ones through {@code avro} (a format
   * that also resolves published schemas, say).
   */
  public Serde<Alert> serde(RecordFormat avro) {
    Serde<Alert> avroSerde = AvroSerdes.serde(Alert.class, avro);
    Serializer<Alert> serializer =
        (topic, alert) ->
            alert == null
                ? null
                : this == JSON ? encode(alert) : avroSerde.serializer().serialize(topic, alert);
    Deserializer<Alert> deserializer =
        (topic, value) ->
            of(value) == AVRO
                ? avroSerde.deserializer().deserialize(topic, value)
                : decode(topic, value);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static Alert fromJson(byte[] value) throws IOException {
    JsonNode n = MAPPER.readTree(value);
    if (n == null || !n.isObject()) {
      throw new IOException("not a JSON object");
    }
    return Alert.newBuilder()
        .setAlertId(required(n, "alert_id").asText())
        .setRule(required(n, "rule").asText())
        .setSeverity(Severity.valueOf(required(n, "severity").asText()))
        .setState(AlertState.valueOf(required(n, "state").asText()))
        .setOrganizationId(required(n, "organization_id").asText())
        .setEntityType(required(n, "entity_type").asText())
        .setEntityKey(required(n, "entity_key").asText())
        .setWindowStart(instant(required(n, "window_start")))
        .setWindowEnd(instant(required(n, "window_end")))
        .setObservedValue(required(n, "observed_value").asDouble())
        .setThreshold(required(n, "threshold").asDouble())
        .setFiredAt(instant(required(n, "fired_at")))
        .setResolvedAt(n.hasNonNull("resolved_at") ? instant(n.get("resolved_at")) : null)
        .setMessage(required(n, "message").asText())
        // Absent in alerts written before corrections were evaluated: null, as the schema's
        // default.
        .setCorrectionLateMs(
            n.hasNonNull("correction_late_ms") ? n.get("correction_late_ms").asLong() : null)
        .build();
  }

  private static JsonNode required(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("field " + field + " is missing");
    }
    return v;
  }

  private static Instant instant(JsonNode v) throws IOException {
    if (v.isNumber()) {
      return Instant.ofEpochMilli(v.asLong());
    }
    try {
      return Instant.parse(v.asText());
    } catch (DateTimeParseException e) {
      throw new IOException("not an instant: " + v.asText(), e);
    }
  }
}
