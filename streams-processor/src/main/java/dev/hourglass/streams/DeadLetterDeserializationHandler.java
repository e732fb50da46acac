package dev.hourglass.streams;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.rollups.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters a record whose key or value a source deserializer refused, with the {@link
 * BadRecordException} reason when there is one, through Kafka Streams' dead-letter-queue response
 * (same transaction). The topology reads bytes and decodes inside, so today this only guards
 * against a source added later with a deserializer that can throw.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private DeadLetterTopic topic;

  @Override
  public void configure(Map<String, ?> configs) {
    topic = DeadLetterTopic.from(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
    String reason = BadRecordException.Reason.NOT_SINGLE_OBJECT.name();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadRecordException bad) {
        reason = bad.reason().name();
        break;
      }
    }
    LOG.warn(
        "Dead-lettering {}-{}@{} ({}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        reason,
        DeadLetters.describe(e));
    DeadLetter dl =
        DeadLetters.of(
            record.topic(),
            record.partition(),
            record.offset(),
            reason,
            DeadLetters.describe(e),
            null,
            null,
            record.key(),
            record.value(),
            System.currentTimeMillis());
    return Response.resume(List.of(topic.record(record.key(), dl)));
  }
}
