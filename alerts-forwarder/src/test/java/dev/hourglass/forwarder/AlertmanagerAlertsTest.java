package dev.hourglass.forwarder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertmanagerAlertsTest {
  private static final Instant HOUR = Instant.parse("2026-11-20T09:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-20T09:30:00Z");

  private static Alert alert(AlertState state, Long lateMs) {
    return Alert.newBuilder()
        .setAlertId("5b1e4c2a-0000-4000-8000-000000000001")
        .setRule("integration_error_rate")
        .setSeverity(Severity.CRITICAL)
        .setState(state)
        .setOrganizationId("5b1e4c2a-0000-4000-8000-0000000000aa")
        .setEntityType("integration")
        .setEntityKey("github")
        .setWindowStart(HOUR)
        .setWindowEnd(HOUR.plusSeconds(3600))
        .setObservedValue(0.1)
        .setThreshold(state == AlertState.FIRING ? 0.05 : 0.01)
        .setFiredAt(HOUR.plusSeconds(600))
        .setResolvedAt(state == AlertState.RESOLVED ? HOUR.plusSeconds(7800) : null)
        .setMessage("integration_error_rate: error_rate 0.1")
        .setCorrectionLateMs(lateMs)
        .build();
  }

  @Test
  void shouldSendAFiringAlertThatEndsFourResendIntervalsAhead() {
    String json =
        new String(
            AlertmanagerAlerts.body(List.of(alert(AlertState.FIRING, null)), NOW, 60_000),
            StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "[{\"labels\":{\"alertname\":\"integration_error_rate\",\"severity\":\"critical\","
                + "\"family\":\"integration\",\"entity_type\":\"integration\","
                + "\"entity_key\":\"github\","
                + "\"organization_id\":\"5b1e4c2a-0000-4000-8000-0000000000aa\","
                + "\"window_start\":\"2026-11-20T09:00:00Z\"},"
                + "\"annotations\":{\"summary\":\"integration_error_rate: error_rate 0.1\","
                + "\"observed_value\":\"0.1\",\"threshold\":\"0.05\","
                + "\"window_end\":\"2026-11-20T10:00:00Z\","
                + "\"alert_id\":\"5b1e4c2a-0000-4000-8000-000000000001\"},"
                + "\"startsAt\":\"2026-11-20T09:10:00Z\",\"endsAt\":\"2026-11-20T09:34:00Z\"}]");
  }

  @Test
  void shouldSendAResolvedAlertEndingWhenItResolvedWithTheSameLabels() {
    var firing = AlertmanagerAlerts.alert(alert(AlertState.FIRING, null), NOW, 60_000);
    var resolved = AlertmanagerAlerts.alert(alert(AlertState.RESOLVED, 754_000L), NOW, 60_000);

    assertThat(resolved.get("labels")).isEqualTo(firing.get("labels"));
    assertThat(resolved.get("startsAt").asText()).isEqualTo("2026-11-20T09:10:00Z");
    assertThat(resolved.get("endsAt").asText()).isEqualTo("2026-11-20T11:10:00Z");
    assertThat(resolved.get("annotations").get("correction_late_ms").asText()).isEqualTo("754000");
    assertThat(resolved.get("annotations").get("threshold").asText()).isEqualTo("0.01");
  }

  @Test
  void shouldNameAnAlertByItsRuleKeyAndHour() {
    assertThat(AlertsForwarder.identity(alert(AlertState.RESOLVED, null)))
        .isEqualTo(AlertsForwarder.identity(alert(AlertState.FIRING, null)))
        .isEqualTo(
            "integration_error_rate|5b1e4c2a-0000-4000-8000-0000000000aa|github|"
                + HOUR.toEpochMilli());
  }
}
