package dev.hourglass.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.JsonView;
import dev.hourglass.avro.Samples;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AlertsFormatTest {

  @Test
  void shouldWriteJsonAsTheJsonViewOfTheAlert() {
    Alert alert = Samples.alert();

    assertThat(new String(AlertsFormat.JSON.encode(alert), StandardCharsets.UTF_8))
        .isEqualTo(JsonView.toJson(alert));
  }

  @Test
  void shouldWriteAvroAsASingleObject() {
    byte[] bytes = AlertsFormat.AVRO.encode(Samples.alert());

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
  }

  @Test
  void shouldReadBackEitherFormatIntoTheSameAlert() {
    // Set on the record, not through Alert.newBuilder(other): Avro's copy loads classes by name.
    Alert resolved = Samples.alert();
    resolved.setState(AlertState.RESOLVED);
    resolved.setResolvedAt(Samples.NOW.plusSeconds(60));
    Alert corrected = Samples.alert();
    corrected.setCorrectionLateMs(754_000L);
    for (Alert alert : new Alert[] {Samples.alert(), resolved, corrected}) {
      for (AlertsFormat format : AlertsFormat.values()) {
        byte[] bytes = format.encode(alert);
        assertThat(AlertsFormat.of(bytes)).isEqualTo(format);
        assertThat(AlertsFormat.decode("t.alerts", bytes)).isEqualTo(alert);
      }
    }
  }

  @Test
  void shouldReadJsonWrittenBeforeCorrectionsWereEvaluatedWithoutLateness() {
    String v1 = JsonView.toJson(Samples.alert()).replace(",\"correction_late_ms\":null", "");

    assertThat(v1).doesNotContain("correction_late_ms");
    assertThat(AlertsFormat.decode("t.alerts", v1.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Samples.alert());
  }

  @Test
  void shouldRefuseJsonThatIsNotAnAlertAsNotASingleObject() {
    byte[] bytes = "{\"rule\":\"r\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> AlertsFormat.decode("t.alerts", bytes))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(BadRecordException.Reason.NOT_SINGLE_OBJECT))
        .hasMessage(
            "NOT_SINGLE_OBJECT on topic t.alerts: not a JSON alert: field alert_id is missing");
  }

  @Test
  void shouldRefuseBytesThatAreNeitherFormat() {
    byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> AlertsFormat.decode("t.alerts", bytes))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(BadRecordException.Reason.NOT_SINGLE_OBJECT));
  }
}
