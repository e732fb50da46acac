package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.rollups.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterHandlersTest {
  private static final byte[] KEY = "org".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {1, 2, 3};
  private static final Map<String, String> CONFIG =
      Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "hg.dead-letters");

  /** What Kafka Streams hands a handler about the record at hand. */
  private record Context(String topic, byte[] sourceRawKey, byte[] sourceRawValue)
      implements ErrorHandlerContext {
    @Override
    public int partition() {
      return 4;
    }

    @Override
    public long offset() {
      return 42;
    }

    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "task-processor";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, 4);
    }

    @Override
    public long timestamp() {
      return 0;
    }
  }

  private static DeadLetter decode(ProducerRecord<byte[], byte[]> r) {
    return AvroSerdes.serde(DeadLetter.class).deserializer().deserialize(r.topic(), r.value());
  }

  @Test
  void shouldDeadLetterARecordAProcessorThrewOn() {
    DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
    handler.configure(CONFIG);
    ProcessingExceptionHandler.Response response =
        handler.handleError(
            new Context("hg.task-events", KEY, VALUE),
            new Record<>(KEY, VALUE, 0L),
            new IllegalStateException("boom"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> out = response.deadLetterQueueRecords().get(0);
    assertThat(out.topic()).isEqualTo("hg.dead-letters");
    assertThat(out.key()).isEqualTo(KEY);
    DeadLetter dl = decode(out);
    assertThat(dl.getSourceTopic()).isEqualTo("hg.task-events");
    assertThat(dl.getSourcePartition()).isEqualTo(4);
    assertThat(dl.getSourceOffset()).isEqualTo(42L);
    assertThat(dl.getReasonCode()).isEqualTo("PROCESSING_ERROR");
    assertThat(dl.getMessage()).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(dl.getRawValue()).isEqualTo(ByteBuffer.wrap(VALUE));
  }

  @Test
  void shouldFailTheTaskOnKafkaErrorsAndInPunctuations() {
    DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
    handler.configure(CONFIG);
    assertThat(
            handler
                .handleError(
                    new Context("hg.task-events", KEY, VALUE),
                    new Record<>(KEY, VALUE, 0L),
                    new StreamsException("store closed"))
                .result())
        .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(
            handler
                .handleError(new Context(null, null, null), null, new IllegalStateException("x"))
                .result())
        .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
  }

  @Test
  void shouldDeadLetterAnUndecodableRecordWithItsReason() {
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
    handler.configure(CONFIG);
    var response =
        handler.handleError(
            new Context("hg.task-events", KEY, VALUE),
            new ConsumerRecord<>("hg.task-events", 4, 42L, KEY, VALUE),
            new BadRecordException(
                BadRecordException.Reason.TRUNCATED, "hg.task-events", "3 bytes", null));
    DeadLetter dl = decode(response.deadLetterQueueRecords().get(0));
    assertThat(dl.getReasonCode()).isEqualTo("TRUNCATED");
    assertThat(dl.getSourceOffset()).isEqualTo(42L);
    assertThat(dl.getMessage())
        .isEqualTo(
            "dev.hourglass.avro.BadRecordException: TRUNCATED on topic hg.task-events: 3 bytes");
  }
}
