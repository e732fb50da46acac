package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.events.TaskEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * A reader meets a writer schema it was not built with: resolved through the published schemas when
 * Avro can read it as the current version, refused with the reason when it cannot, unknown when
 * nobody published it.
 */
class PublishedSchemasTest {
  private static final String TOPIC = "hourglass.task-events";
  private static final Schema V3 =
      EvolvedSchemas.withOptionalString(TaskEvent.getClassSchema(), "region");

  @Test
  void shouldReadNewerVersionOncePublishedSkippingItsNewField() throws IOException {
    TaskEvent sample = Samples.task();
    byte[] bytes = encodeAs(V3, sample, "eu-west-1");

    TaskEvent read =
        (TaskEvent) new SingleObjectFormat(KnownSchemas.standard(only(V3))).decode(TOPIC, bytes);

    assertThat(read).isEqualTo(sample);
  }

  @Test
  void shouldRefuseNewerVersionNobodyPublished() throws IOException {
    byte[] bytes = encodeAs(V3, Samples.task(), "eu-west-1");

    assertThatThrownBy(() -> SingleObjectFormat.standard().decode(TOPIC, bytes))
        .isInstanceOf(BadRecordException.class)
        .hasMessage(
            "UNKNOWN_FINGERPRINT on topic hourglass.task-events: writer schema fingerprint "
                + SchemaTopic.key(KnownSchemas.fingerprint(V3))
                + " is not in the schema store");
  }

  @Test
  void shouldRefusePublishedVersionThatDropsARequiredFieldNamingIt() throws IOException {
    Schema dropped = EvolvedSchemas.without(TaskEvent.getClassSchema(), "task_id");
    GenericRecord record = generic(dropped, Samples.task(), null);
    byte[] bytes =
        bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), dropped).encode(record));
    SingleObjectFormat format = new SingleObjectFormat(KnownSchemas.standard(only(dropped)));

    assertThatThrownBy(() -> format.decode(TOPIC, bytes))
        .isInstanceOf(BadRecordException.class)
        .hasMessage(
            "UNKNOWN_FINGERPRINT on topic hourglass.task-events: writer schema fingerprint "
                + SchemaTopic.key(KnownSchemas.fingerprint(dropped))
                + " is refused: it is published, but dev.hourglass.events.TaskEvent written with"
                + " it cannot be read as this process's version: [READER_FIELD_MISSING_DEFAULT_VALUE"
                + " at /fields/4 (task_id)]");
  }

  @Test
  void shouldRefuseSchemaPublishedUnderAnotherFingerprint() throws IOException {
    byte[] bytes = encodeAs(V3, Samples.task(), "eu-west-1");
    Schema other = EvolvedSchemas.withOptionalString(TaskEvent.getClassSchema(), "zone");
    SchemaSource lying = fingerprint -> Optional.of(other);

    assertThatThrownBy(
            () -> new SingleObjectFormat(KnownSchemas.standard(lying)).decode(TOPIC, bytes))
        .hasMessageEndingWith(
            " is refused: the schema published under it has fingerprint "
                + SchemaTopic.key(KnownSchemas.fingerprint(other)));
  }

  @Test
  void shouldRefusePublishedSchemaOfATypeNoReaderKnows() throws IOException {
    Schema stranger =
        SchemaBuilder.record("Stranger")
            .namespace("elsewhere")
            .fields()
            .requiredInt("n")
            .endRecord();
    GenericRecord record = new GenericData.Record(stranger);
    record.put("n", 7);
    byte[] bytes =
        bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), stranger).encode(record));

    assertThatThrownBy(
            () ->
                new SingleObjectFormat(KnownSchemas.standard(only(stranger))).decode(TOPIC, bytes))
        .hasMessageEndingWith(
            " is refused: it is published as elsewhere.Stranger, which is no type this process"
                + " reads");
  }

  @Test
  void shouldGiveReleasedVersionsByNameAndRefuseOthers() {
    assertThat(KnownSchemas.fingerprint(SchemaHistory.version("TaskEvent", 1)))
        .isEqualTo(0x5fe4ef0bff2b0192L);
    assertThatThrownBy(() -> SchemaHistory.version("TaskEvent", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TaskEvent v3 was never released (released: [TaskEvent.v1.avsc,");
  }

  private static SchemaSource only(Schema schema) {
    long fingerprint = KnownSchemas.fingerprint(schema);
    return f -> f == fingerprint ? Optional.of(schema) : Optional.empty();
  }

  /** {@code event} written with {@code schema}, as a client on that version would. */
  private static byte[] encodeAs(Schema schema, TaskEvent event, String region) throws IOException {
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
            .encode(generic(schema, event, region));
    return bytes(buffer);
  }

  /** The encoder's buffer may be larger than the message: only its remaining bytes count. */
  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  private static GenericRecord generic(Schema schema, TaskEvent event, String region) {
    GenericRecord record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      if (field.name().equals("region")) {
        record.put("region", region);
      } else if (field.name().equals("occurred_at")) {
        record.put("occurred_at", event.getOccurredAt().toEpochMilli());
      } else if (field.name().equals("kind")) {
        record.put("kind", new GenericData.EnumSymbol(field.schema(), event.getKind().name()));
      } else {
        record.put(
            field.name(), event.get(TaskEvent.getClassSchema().getField(field.name()).pos()));
      }
    }
    return record;
  }
}
