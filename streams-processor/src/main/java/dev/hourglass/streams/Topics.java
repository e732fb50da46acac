package dev.hourglass.streams;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.JsonView;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Every topic the processor reads or writes (docs/contracts.md, "Topics"). Input values are read as
 * bytes and decoded inside the topology, so that a record that does not decode is dead-lettered
 * with its partition, offset and exact reason instead of failing the deserializer.
 */
public record Topics(
    Topic<byte[], byte[]> taskEvents,
    Topic<byte[], byte[]> agentEvents,
    Topic<byte[], byte[]> integrationEvents,
    Topic<String, SpecificRecord> rollups,
    Topic<String, Alert> alerts,
    Topic<byte[], DeadLetter> deadLetters,
    Topic<String, String> stats) {

  public Topics {
    Objects.requireNonNull(taskEvents, "taskEvents");
    Objects.requireNonNull(agentEvents, "agentEvents");
    Objects.requireNonNull(integrationEvents, "integrationEvents");
    Objects.requireNonNull(rollups, "rollups");
    Objects.requireNonNull(alerts, "alerts");
    Objects.requireNonNull(deadLetters, "deadLetters");
    Objects.requireNonNull(stats, "stats");
  }

  /** The topics named {@code <prefix><base>}, alerts written in {@code alertsFormat}. */
  public static Topics withPrefix(String prefix, AlertsFormat alertsFormat) {
    Serde<byte[]> bytes = Serdes.ByteArray();
    return new Topics(
        new Topic<>(prefix + "task-events", bytes, bytes),
        new Topic<>(prefix + "agent-events", bytes, bytes),
        new Topic<>(prefix + "integration-events", bytes, bytes),
        new Topic<>(prefix + "rollups", Serdes.String(), AvroSerdes.anyRecord()),
        new Topic<>(
            prefix + "alerts",
            Serdes.String(),
            alertsFormat == AlertsFormat.JSON ? jsonAlerts() : AvroSerdes.serde(Alert.class)),
        new Topic<>(prefix + "dead-letters", bytes, AvroSerdes.serde(DeadLetter.class)),
        new Topic<>(prefix + "stats", Serdes.String(), Serdes.String()));
  }

  /** Alerts as one line of JSON. There is no parser back: consumers use any JSON library. */
  static Serde<Alert> jsonAlerts() {
    Serializer<Alert> serializer =
        (topic, alert) ->
            alert == null ? null : JsonView.toJson(alert).getBytes(StandardCharsets.UTF_8);
    Deserializer<Alert> deserializer =
        (topic, bytes) -> {
          throw new UnsupportedOperationException(
              "alerts in JSON are a view for non-Java consumers; read them with a JSON parser");
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
