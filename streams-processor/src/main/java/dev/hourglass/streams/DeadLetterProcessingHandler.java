package dev.hourglass.streams;

import dev.hourglass.rollups.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstop behind the topology's own per-record catch (see {@link HourglassTopology}): an
 * exception that escapes a processor while it handles a source record is written to the dead-letter
 * topic as a {@code DeadLetter} with reason {@code PROCESSING_ERROR}, through Kafka Streams'
 * dead-letter-queue response, so it is part of the same transaction. Kafka's own exceptions (state
 * store, producer, task migration) and failures inside a punctuation have no record to blame and
 * fail the task instead: under exactly-once it restarts from the last commit.
 *
 * <p>The topic comes from {@code errors.dead.letter.queue.topic.name}.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private DeadLetterTopic topic;

  @Override
  public void configure(Map<String, ?> configs) {
    topic = DeadLetterTopic.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
    if (e instanceof KafkaException || record == null || context.topic() == null) {
      LOG.error(
          "Failing task {} at processor {}: {}",
          context.taskId(),
          context.processorNodeId(),
          DeadLetters.describe(e),
          e);
      return Response.fail();
    }
    LOG.warn(
        "Dead-lettering {}-{}@{} after an exception in processor {}: {}",
        context.topic(),
        context.partition(),
        context.offset(),
        context.processorNodeId(),
        DeadLetters.describe(e));
    return Response.resume(List.of(deadLetter(topic, context, e)));
  }

  static ProducerRecord<byte[], byte[]> deadLetter(
      DeadLetterTopic topic, ErrorHandlerContext context, Exception e) {
    DeadLetter dl =
        DeadLetters.of(
            context.topic(),
            context.partition(),
            context.offset(),
            DeadLetters.PROCESSING_ERROR,
            DeadLetters.describe(e),
            null,
            null,
            context.sourceRawKey(),
            context.sourceRawValue(),
            System.currentTimeMillis());
    return topic.record(context.sourceRawKey(), dl);
  }
}
