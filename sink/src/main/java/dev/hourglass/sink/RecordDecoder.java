package dev.hourglass.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.LogHistogram;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.ValidationLimits;
import dev.hourglass.avro.Violation;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.Severity;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns consumed bytes into what the sink writes. Never throws for bad input: a record that does
 * not decode, is of a type its topic does not carry, or breaks the event rules becomes a {@link
 * SinkRecord.Rejected} with the reason code the streams processor would use for it, so that both
 * paths converge on one dead-letter row per (topic, partition, offset).
 */
final class RecordDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Class<?>> ROLLUP_TYPES =
      Set.of(
          TaskRollup.class,
          AgentRollup.class,
          IntegrationRollup.class,
          TaskCorrection.class,
          AgentCorrection.class,
          IntegrationCorrection.class);

  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

  private final RecordFormat format = SingleObjectFormat.standard();
  private final Map<String, Set<Class<?>>> expected;
  private final String alertsTopic;

  /**
   * The event rules of the streams processor, except that the future-time bound is the widest
   * allowed: it depends on when the check runs, and the sink runs later than the processor, so it
   * must not reject anything the processor accepted.
   */
  private final EventValidator validator;

  RecordDecoder(SinkTopics topics, Clock clock) {
    this.expected =
        Map.of(
            topics.taskEvents(), Set.of(TaskEvent.class),
            topics.agentEvents(), Set.of(AgentEvent.class),
            topics.integrationEvents(), Set.of(IntegrationEvent.class),
            topics.rollups(), ROLLUP_TYPES,
            topics.alerts(), Set.of(Alert.class),
            topics.deadLetters(), Set.of(DeadLetter.class));
    this.alertsTopic = topics.alerts();
    ValidationLimits standard = ValidationLimits.defaults();
    this.validator =
        new EventValidator(
            new ValidationLimits(
                Duration.ofDays(365), standard.maxStringLength(), standard.maxPayloadBytes()),
            clock);
  }

  SinkRecord decode(ConsumerRecord<byte[], byte[]> in) {
    SinkRecord raw =
        new SinkRecord(
            in.topic(), in.partition(), in.offset(), in.timestamp(), in.key(), in.value(), null);
    byte[] value = in.value();
    if (in.topic().equals(alertsTopic) && value != null && value.length > 0 && value[0] == '{') {
      try {
        return withPayload(raw, alertFromJson(value));
      } catch (IOException | RuntimeException e) {
        return raw.rejected(
            new SinkRecord.Rejected(
                "NOT_SINGLE_OBJECT", "not a JSON alert: " + e.getMessage(), null, null));
      }
    }
    SpecificRecord record;
    try {
      record = format.decode(in.topic(), value);
    } catch (BadRecordException e) {
      return raw.rejected(new SinkRecord.Rejected(e.reason().name(), e.getMessage(), null, null));
    }
    Set<Class<?>> types = expected.get(in.topic());
    if (types == null || !types.contains(record.getClass())) {
      return raw.rejected(
          new SinkRecord.Rejected(
              BadRecordException.Reason.WRONG_TYPE.name(),
              "WRONG_TYPE on topic "
                  + in.topic()
                  + ": a "
                  + record.getSchema().getFullName()
                  + " does not belong on this topic",
              null,
              null));
    }
    if (record instanceof TaskEvent
        || record instanceof AgentEvent
        || record instanceof IntegrationEvent) {
      Optional<Violation> violation = validator.validate(record);
      if (violation.isPresent()) {
        Violation v = violation.get();
        return raw.rejected(
            new SinkRecord.Rejected(
                v.reasonCode(),
                v.message(),
                text(record, "organization_id"),
                text(record, "event_id")));
      }
    }
    if (ROLLUP_TYPES.contains(record.getClass())) {
      Instant start = RollupWrites.windowStart(record);
      if (start.isBefore(EARLIEST) || !start.isBefore(LATEST)) {
        // Its month partition could not be created; refused here, it cannot stall the sink.
        return raw.rejected(
            new SinkRecord.Rejected(
                "DATA_ERROR",
                "window_start " + start + " is outside [" + EARLIEST + ", " + LATEST + ")",
                text(record, "organization_id"),
                null));
      }
      for (List<Long> histogram : RollupWrites.histograms(record)) {
        if (histogram.size() != LogHistogram.BUCKETS) {
          return raw.rejected(
              new SinkRecord.Rejected(
                  "DATA_ERROR",
                  "a histogram of "
                      + histogram.size()
                      + " buckets in a "
                      + record.getSchema().getName()
                      + ": must have "
                      + LogHistogram.BUCKETS,
                  text(record, "organization_id"),
                  null));
        }
      }
    }
    return withPayload(raw, record);
  }

  private static SinkRecord withPayload(SinkRecord raw, Object payload) {
    return new SinkRecord(
        raw.topic(),
        raw.partition(),
        raw.offset(),
        raw.timestamp(),
        raw.key(),
        raw.value(),
        payload);
  }

  private static String text(SpecificRecord record, String field) {
    var f = record.getSchema().getField(field);
    Object v = f == null ? null : record.get(f.pos());
    return v == null ? null : v.toString();
  }

  /** An alert in the processor's JSON form ({@code JsonView}: ISO-8601 times, enum names). */
  static Alert alertFromJson(byte[] value) throws IOException {
    JsonNode n = JSON.readTree(value);
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
        .build();
  }

  private static JsonNode required(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("field " + field + " is missing");
    }
    return v;
  }

  private static Instant instant(JsonNode v) {
    return v.isNumber() ? Instant.ofEpochMilli(v.asLong()) : Instant.parse(v.asText());
  }
}
