package dev.hourglass.sink;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.LogHistogram;
import dev.hourglass.avro.ValidationLimits;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns consumed bytes into what the sink writes. Each topic's bytes are read with the value serde
 * the contract declares for it ({@link Topics}): an event topic carries its family's event, {@code
 * rollups} every family's rollups and corrections, {@code alerts} an alert in either {@code
 * AlertsFormat}, {@code dead-letters} dead letters. Never throws for bad input: a record that does
 * not decode, is of a type its topic does not carry, or breaks the event rules becomes a {@link
 * SinkRecord.Rejected} with the reason code the streams processor would use for it, so that both
 * paths converge on one dead-letter row per (topic, partition, offset).
 */
final class RecordDecoder {
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

  /** The value deserializer of every topic the sink reads, in {@link Topics} order. */
  private final Map<String, Deserializer<?>> values = new LinkedHashMap<>();

  /**
   * The event rules of the streams processor, its limits included. The future-time bound is checked
   * against the record's timestamp, as the processor checks it, never against this machine's clock:
   * the processor and the sink give the same record the same verdict, so the raw tables hold
   * exactly the events the rollups count.
   */
  private final EventValidator validator;

  RecordDecoder(Topics topics, Clock clock) {
    this(topics, SinkConfig.Reads.ALL, clock);
  }

  /** Reads the topics of one path ({@link SinkConfig.Reads}), or of both. */
  RecordDecoder(Topics topics, SinkConfig.Reads path, Clock clock) {
    // Every topic but stats: the processor's books, which no table of the sink holds.
    if (path != SinkConfig.Reads.DERIVED) {
      topics.events().forEach(this::reads);
    }
    if (path != SinkConfig.Reads.EVENTS) {
      reads(topics.rollups());
      reads(topics.alerts());
      reads(topics.deadLetters());
    }
    this.validator = new EventValidator(ValidationLimits.defaults(), clock);
  }

  private void reads(Topic<?, ?> topic) {
    values.put(topic.name(), topic.values().deserializer());
  }

  /**
   * The names of the topics this decoder reads: every family's events, rollups, alerts, dead
   * letters, or one path's.
   */
  List<String> topics() {
    return List.copyOf(values.keySet());
  }

  SinkRecord decode(ConsumerRecord<byte[], byte[]> in) {
    SinkRecord raw =
        new SinkRecord(
            in.topic(), in.partition(), in.offset(), in.timestamp(), in.key(), in.value(), null);
    Deserializer<?> deserializer = values.get(in.topic());
    if (deserializer == null) {
      return raw.rejected(
          new SinkRecord.Rejected(
              BadRecordException.Reason.WRONG_TYPE.name(),
              "topic " + in.topic() + " is not one the sink reads " + values.keySet(),
              null,
              null));
    }
    Object payload;
    try {
      payload = deserializer.deserialize(in.topic(), in.value());
    } catch (BadRecordException e) {
      return raw.rejected(new SinkRecord.Rejected(e.reason().name(), e.getMessage(), null, null));
    }
    if (payload instanceof SpecificRecord record) {
      Optional<SinkRecord.Rejected> why = refusal(record, in.timestamp());
      if (why.isPresent()) {
        return raw.rejected(why.get());
      }
    }
    return new SinkRecord(
        raw.topic(),
        raw.partition(),
        raw.offset(),
        raw.timestamp(),
        raw.key(),
        raw.value(),
        payload);
  }

  /** Why a record of the right type for its topic cannot be written, if it cannot. */
  private Optional<SinkRecord.Rejected> refusal(SpecificRecord record, long timestamp) {
    Optional<Family> event = Family.forEventType(record.getClass());
    if (event.isPresent()) {
      Family family = event.get();
      // A record without a timestamp (a pre-0.10 message format) falls back to the clock.
      return (timestamp >= 0 ? validator.validate(record, timestamp) : validator.validate(record))
          .map(
              v ->
                  new SinkRecord.Rejected(
                      v.reasonCode(),
                      v.message(),
                      family.organizationId(record),
                      family.eventId(record)));
    }
    Optional<Family> aggregate = Family.forRollupType(record.getClass());
    if (aggregate.isPresent()) {
      Family family = aggregate.get();
      Instant start = family.windowStart(record);
      if (start.isBefore(EARLIEST) || !start.isBefore(LATEST)) {
        // Its month partition could not be created; refused here, it cannot stall the sink.
        return Optional.of(
            new SinkRecord.Rejected(
                "DATA_ERROR",
                "window_start " + start + " is outside [" + EARLIEST + ", " + LATEST + ")",
                family.organizationId(record),
                null));
      }
      for (List<Long> histogram : RollupWrites.histograms(family, record)) {
        if (histogram.size() != LogHistogram.BUCKETS) {
          return Optional.of(
              new SinkRecord.Rejected(
                  "DATA_ERROR",
                  "a histogram of "
                      + histogram.size()
                      + " buckets in a "
                      + record.getSchema().getName()
                      + ": must have "
                      + LogHistogram.BUCKETS,
                  family.organizationId(record),
                  null));
        }
      }
    }
    return Optional.empty();
  }
}
