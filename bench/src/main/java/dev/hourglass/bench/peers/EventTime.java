package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time for Kafka Streams' windows: the event's {@code occurred_at}, not the record's
 * timestamp (the producer sets that to the time of sending).
 */
final class EventTime implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof SpecificRecord event) {
      return Family.ofEvent(event).occurredAt(event).toEpochMilli();
    }
    return record.timestamp();
  }
}
