package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The shipped evolution: TaskEvent v2 added the optional field {@code source}. */
class TaskEventEvolutionTest {
  private static final String TOPIC = "hourglass.task-events";

  @Test
  void shouldKnowTheCurrentSchemaOfEveryTypeAndTaskEventV1() {
    KnownSchemas known = KnownSchemas.standard();

    // The current version of every type, plus the older TaskEvent v1 and Alert v1.
    assertThat(known.size()).isEqualTo(KnownSchemas.TYPES.size() + 2);
    assertThat(known.find(KnownSchemas.fingerprint(v1())).type()).isEqualTo(TaskEvent.class);
    assertThat(KnownSchemas.fingerprint(v1()))
        .isNotEqualTo(KnownSchemas.fingerprint(TaskEvent.getClassSchema()));
  }

  @Test
  void shouldReadRecordWrittenWithV1IntoCurrentClass() throws IOException {
    GenericRecord old = new GenericData.Record(v1());
    old.put("event_id", "f47ac10b-58cc-4372-a567-0e02b2c3d479");
    old.put("occurred_at", Instant.parse("2026-11-22T04:59:30.125Z").toEpochMilli());
    old.put("organization_id", Samples.ORG);
    old.put("project_id", Samples.PROJECT);
    old.put("task_id", "9c8b7a6d-5e4f-4321-9abc-def012345678");
    old.put("kind", new GenericData.EnumSymbol(v1().getField("kind").schema(), "STARTED"));
    old.put("priority", 3);
    old.put("assigned_to", null);
    old.put("title", "Write the v1 test");
    old.put("estimated_hours", 2.0);
    old.put("actual_hours", null);
    old.put("execution_id", "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098");
    old.put("metadata", Map.of("team", "platform"));

    TaskEvent read =
        AvroSerdes.serde(TaskEvent.class).deserializer().deserialize(TOPIC, singleObject(old));

    TaskEvent expected =
        TaskEvent.newBuilder()
            .setEventId("f47ac10b-58cc-4372-a567-0e02b2c3d479")
            .setOccurredAt(Instant.parse("2026-11-22T04:59:30.125Z"))
            .setOrganizationId(Samples.ORG)
            .setProjectId(Samples.PROJECT)
            .setTaskId("9c8b7a6d-5e4f-4321-9abc-def012345678")
            .setKind(TaskEventKind.STARTED)
            .setPriority(3)
            .setTitle("Write the v1 test")
            .setEstimatedHours(2.0)
            .setExecutionId("6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098")
            .setMetadata(Map.of("team", "platform"))
            .build();
    assertThat(read).isEqualTo(expected);
    assertThat(read.getSource()).isNull();
  }

  @Test
  void shouldLetV1ReaderReadRecordWrittenWithCurrentSchema() throws IOException {
    TaskEvent current = Samples.task();
    byte[] bytes = AvroSerdes.serde(TaskEvent.class).serializer().serialize(TOPIC, current);
    Schema writer = KnownSchemas.standard().find(fingerprintOf(bytes)).writer();

    GenericDatumReader<GenericRecord> oldReader = new GenericDatumReader<>(writer, v1());
    GenericRecord read =
        oldReader.read(
            null,
            DecoderFactory.get()
                .binaryDecoder(
                    bytes,
                    SingleObjectFormat.HEADER,
                    bytes.length - SingleObjectFormat.HEADER,
                    null));

    assertThat(read.getSchema().getField("source")).isNull();
    assertThat(read.get("event_id").toString()).isEqualTo(current.getEventId());
    assertThat(read.get("occurred_at")).isEqualTo(current.getOccurredAt().toEpochMilli());
    assertThat(read.get("kind").toString()).isEqualTo("COMPLETED");
    assertThat(read.get("priority")).isEqualTo(2);
    assertThat(read.get("title").toString()).isEqualTo("Add retry to the webhook client");
    assertThat(read.get("actual_hours")).isEqualTo(4.25);
    assertThat(read.get("metadata").toString()).isEqualTo("{team=platform}");
  }

  private static Schema v1() {
    return SchemaHistory.released().stream()
        .filter(s -> s.getName().equals("TaskEvent"))
        .findFirst()
        .orElseThrow();
  }

  private static long fingerprintOf(byte[] bytes) {
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFFL);
    }
    return fingerprint;
  }

  /** {@code record} in single-object encoding with its own (v1) schema's fingerprint. */
  private static byte[] singleObject(GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long fingerprint = KnownSchemas.fingerprint(record.getSchema());
    out.write(0xC3);
    out.write(0x01);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fingerprint >>> (8 * i)));
    }
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return Arrays.copyOf(out.toByteArray(), out.size());
  }
}
