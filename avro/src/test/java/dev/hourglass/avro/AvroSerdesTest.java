package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.Alert;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {
  private static final String TOPIC = "hourglass.task-events";

  @Test
  void shouldRoundTripEveryTypeExactly() {
    for (SpecificRecord record : Samples.everyType()) {
      @SuppressWarnings("unchecked")
      Serde<SpecificRecord> serde = AvroSerdes.serde((Class<SpecificRecord>) record.getClass());
      byte[] bytes = serde.serializer().serialize(TOPIC, record);

      assertThat(serde.deserializer().deserialize(TOPIC, bytes))
          .as(record.getSchema().getName())
          .isEqualTo(record);
      assertThat(AvroSerdes.anyRecord().deserializer().deserialize(TOPIC, bytes))
          .as(record.getSchema().getName())
          .isEqualTo(record);
    }
  }

  @Test
  void shouldCoverEveryKnownType() {
    assertThat(Samples.everyType().stream().map(SpecificRecord::getClass).toList())
        .isEqualTo(KnownSchemas.TYPES);
  }

  @Test
  void shouldStartWithMarkerAndFingerprint() {
    byte[] bytes = AvroSerdes.serde(TaskEvent.class).serializer().serialize(TOPIC, Samples.task());
    long fingerprint = KnownSchemas.fingerprint(TaskEvent.getClassSchema());

    assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes[2 + i]).isEqualTo((byte) (fingerprint >>> (8 * i)));
    }
  }

  @Test
  void shouldSerializeNullAsNull() {
    assertThat(AvroSerdes.serde(TaskEvent.class).serializer().serialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldRefuseBytesWithoutMarker() {
    BadRecordException e =
        refuse("{\"event_id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.NOT_SINGLE_OBJECT);
    assertThat(e.topic()).isEqualTo(TOPIC);
    assertThat(e)
        .hasMessage(
            "NOT_SINGLE_OBJECT on topic hourglass.task-events: no single-object marker C3 01 at"
                + " the start of 14 bytes");
  }

  @Test
  void shouldRefuseNullAndEmptyValues() {
    assertThat(refuse(null))
        .hasMessage("NOT_SINGLE_OBJECT on topic hourglass.task-events: null value");
    assertThat(refuse(new byte[0]))
        .hasMessage(
            "NOT_SINGLE_OBJECT on topic hourglass.task-events: no single-object marker C3 01 at"
                + " the start of 0 bytes");
  }

  @Test
  void shouldRefuseHeaderCutShort() {
    byte[] bytes = Arrays.copyOf(taskBytes(), 6);
    BadRecordException e = refuse(bytes);

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.TRUNCATED);
    assertThat(e)
        .hasMessage("TRUNCATED on topic hourglass.task-events: header needs 10 bytes, got 6");
  }

  @Test
  void shouldRefuseHeaderWithoutBody() {
    BadRecordException e = refuse(Arrays.copyOf(taskBytes(), 10));

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.TRUNCATED);
    assertThat(e)
        .hasMessage(
            "TRUNCATED on topic hourglass.task-events: body of 0 bytes ends before the dev.hourglass.events.TaskEvent does");
  }

  @Test
  void shouldRefuseBodyCutShort() {
    byte[] bytes = taskBytes();
    BadRecordException e = refuse(Arrays.copyOf(bytes, bytes.length - 5));

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.TRUNCATED);
    assertThat(e)
        .hasMessage(
            "TRUNCATED on topic hourglass.task-events: body of "
                + (bytes.length - 15)
                + " bytes ends before the dev.hourglass.events.TaskEvent does");
  }

  @Test
  void shouldRefuseTrailingGarbage() {
    byte[] bytes = taskBytes();
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    BadRecordException e = refuse(longer);

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.TRUNCATED);
    assertThat(e)
        .hasMessage(
            "TRUNCATED on topic hourglass.task-events: 3 trailing bytes after a dev.hourglass.events.TaskEvent");
  }

  @Test
  void shouldRefuseUnknownFingerprint() {
    byte[] bytes = taskBytes();
    bytes[2] ^= 0x5A;
    BadRecordException e = refuse(bytes);

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.UNKNOWN_FINGERPRINT);
    assertThat(e)
        .hasMessage(
            "UNKNOWN_FINGERPRINT on topic hourglass.task-events: writer schema fingerprint "
                + String.format(
                    "%016x", KnownSchemas.fingerprint(TaskEvent.getClassSchema()) ^ 0x5A)
                + " is not in the schema store");
  }

  @Test
  void shouldRefuseRecordOfAnotherTypeOnTypedSerde() {
    byte[] alert = AvroSerdes.serde(Alert.class).serializer().serialize(TOPIC, Samples.alert());
    BadRecordException e = refuse(alert);

    assertThat(e.reason()).isEqualTo(BadRecordException.Reason.WRONG_TYPE);
    assertThat(e)
        .hasMessage(
            "WRONG_TYPE on topic hourglass.task-events: expected TaskEvent, got"
                + " dev.hourglass.rollups.Alert");
  }

  @Test
  void shouldRefuseEveryCorruptionOfEveryTypeWithBadRecordExceptionOnly() {
    // Each body byte overwritten, and a varint of 2^31 spliced in, so that lengths, counts and
    // union or enum indexes go out of range: decoding must fail with a reason, never with another
    // exception or a huge allocation.
    byte[][] patches = {
      {(byte) 0xFF},
      {0x7F},
      {(byte) 0x80},
      {1},
      {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}
    };
    int refused = 0;
    int decoded = 0;
    for (SpecificRecord record : Samples.everyType()) {
      byte[] bytes = AvroSerdes.anyRecord().serializer().serialize(TOPIC, record);
      for (int at = SingleObjectFormat.HEADER; at < bytes.length; at++) {
        for (byte[] patch : patches) {
          byte[] corrupt = Arrays.copyOf(bytes, Math.max(bytes.length, at + patch.length));
          System.arraycopy(patch, 0, corrupt, at, patch.length);
          try {
            AvroSerdes.anyRecord().deserializer().deserialize(TOPIC, corrupt);
            decoded++;
          } catch (BadRecordException e) {
            assertThat(e.topic()).isEqualTo(TOPIC);
            refused++;
          }
        }
      }
    }
    assertThat(refused).isPositive();
    assertThat(decoded).isPositive();
  }

  private static byte[] taskBytes() {
    return AvroSerdes.serde(TaskEvent.class).serializer().serialize(TOPIC, Samples.task());
  }

  private static BadRecordException refuse(byte[] bytes) {
    return catchThrowableOfType(
        BadRecordException.class,
        () -> AvroSerdes.serde(TaskEvent.class).deserializer().deserialize(TOPIC, bytes));
  }
}
