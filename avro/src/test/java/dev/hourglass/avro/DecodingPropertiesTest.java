package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.Alert;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decoding arbitrary bytes never throws anything but {@link BadRecordException} with one of the
 * documented reasons (avro/README.md): a poison record is dead-lettered, it never stops a reader.
 */
class DecodingPropertiesTest {
  private static final List<Deserializer<? extends SpecificRecord>> READERS =
      List.of(
          AvroSerdes.anyRecord().deserializer(),
          AvroSerdes.serde(TaskEvent.class).deserializer(),
          AvroSerdes.serde(AgentEvent.class).deserializer(),
          AvroSerdes.serde(IntegrationEvent.class).deserializer(),
          AvroSerdes.serde(Alert.class).deserializer());

  private static final EnumSet<BadRecordException.Reason> DOCUMENTED =
      EnumSet.allOf(BadRecordException.Reason.class);

  /** Valid encodings of each event type, whose headers name known writer schemas. */
  private static final List<byte[]> VALID =
      List.of(
          AvroSerdes.serde(TaskEvent.class).serializer().serialize("t", Samples.task()),
          AvroSerdes.serde(AgentEvent.class).serializer().serialize("t", Samples.agent()),
          AvroSerdes.serde(IntegrationEvent.class)
              .serializer()
              .serialize("t", Samples.integration()));

  @Property(tries = 2000)
  void shouldDecodeArbitraryBytesOrRefuseThemWithADocumentedReason(
      @ForAll @Size(max = 300) byte[] bytes) {
    decodeEverywhere(bytes);
  }

  @Property(tries = 2000)
  void shouldDecodeArbitraryBodyBehindAKnownHeaderOrRefuseIt(
      @ForAll("valid") byte[] valid, @ForAll @Size(max = 300) byte[] body) {
    byte[] bytes = Arrays.copyOf(valid, 10 + body.length);
    System.arraycopy(body, 0, bytes, 10, body.length);
    decodeEverywhere(bytes);
  }

  @Property(tries = 2000)
  void shouldDecodeCorruptedValidEventOrRefuseIt(
      @ForAll("valid") byte[] valid,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(max = 10_000) Integer> positions,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 40) int cut) {
    byte[] bytes = valid.clone();
    for (int p : positions) {
      bytes[p % bytes.length] = value;
    }
    decodeEverywhere(Arrays.copyOf(bytes, Math.max(0, bytes.length - cut)));
  }

  @Provide
  Arbitrary<byte[]> valid() {
    return Arbitraries.of(VALID);
  }

  private static void decodeEverywhere(byte[] bytes) {
    for (Deserializer<? extends SpecificRecord> reader : READERS) {
      try {
        SpecificRecord record = reader.deserialize("topic", bytes);
        assertThat(record).as("a decoded record is whole").isNotNull();
      } catch (BadRecordException e) {
        assertThat(e.reason()).isIn(DOCUMENTED);
        assertThat(e.getMessage()).startsWith(e.reason().name() + " on topic topic: ");
      } catch (RuntimeException e) {
        fail("undocumented failure decoding " + Arrays.toString(bytes), e);
      }
    }
  }
}
