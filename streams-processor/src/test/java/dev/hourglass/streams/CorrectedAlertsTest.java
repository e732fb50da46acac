package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static dev.hourglass.streams.Driver.WALL_START;
import static dev.hourglass.streams.Events.AGENT;
import static dev.hourglass.streams.Events.ORG;
import static dev.hourglass.streams.Events.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.TaskCorrection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late events re-evaluate the rules on their closed hour (issue 20): a corrected hour above the
 * firing threshold fires once, marked with how late; one under the clear threshold resolves; an
 * hour never fires twice for one rule, resolved or not.
 */
class CorrectedAlertsTest {
  private static final Instant H10 = H9.plus(Duration.ofHours(1));
  private static final Instant H11 = H9.plus(Duration.ofHours(2));

  /** The event that closes H9 comes at 10:15, so H9's end lies 15 minutes behind. */
  private static final long LATE_MS = Duration.ofMinutes(15).toMillis();

  @TempDir Path stateDir;
  private Driver d;

  @BeforeEach
  void start() {
    d = new Driver(stateDir);
  }

  @AfterEach
  void stop() {
    d.close();
  }

  private static Instant minute(Instant hour, int m) {
    return hour.plus(Duration.ofMinutes(m));
  }

  private void tasks(Instant hour, TaskEventKind kind, int n) {
    for (int i = 0; i < n; i++) {
      d.send(Events.task(ORG, minute(hour, i % 60), kind).build());
    }
  }

  private void agents(Instant hour, AgentEventKind kind, int n) {
    for (int i = 0; i < n; i++) {
      d.send(Events.agent(ORG, minute(hour, i % 60), kind).build());
    }
  }

  private void closeTaskHour9() {
    d.send(Events.task(ORG, minute(H10, 15), TaskEventKind.CREATED).build());
  }

  private void closeAgentHour9() {
    d.send(Events.agent(ORG, minute(H10, 15), AgentEventKind.STARTED).build());
  }

  private List<Alert> alerts() {
    return d.alerts().stream().map(kv -> kv.value).toList();
  }

  @Test
  void shouldFireOnceWhenCorrectionsTakeAClosedHourAboveTheThreshold() {
    tasks(H9, TaskEventKind.FAILED, 15);
    d.tick();
    closeTaskHour9();
    d.tick();
    assertThat(alerts()).isEmpty();
    d.rollups();

    tasks(H9, TaskEventKind.FAILED, 5); // 20: not above 20
    assertThat(alerts()).isEmpty();
    tasks(H9, TaskEventKind.FAILED, 1); // 21 > 20
    tasks(H9, TaskEventKind.FAILED, 2); // 23: fired already
    d.tick();

    List<KeyValue<String, Alert>> alerts = d.alerts();
    assertThat(alerts)
        .extracting(kv -> kv.key)
        .containsExactly("task_failure_spike|" + ORG + "|" + PROJECT);
    assertThat(alerts.get(0).value.getState()).isEqualTo(AlertState.FIRING);
    assertThat(alerts.get(0).value.getObservedValue()).isEqualTo(21.0);
    assertThat(d.rollups()).hasSize(8).allMatch(r -> r instanceof TaskCorrection);
  }

  @Test
  void shouldMarkTheFiringOfACorrectedHourWithHowLateItCame() {
    tasks(H9, TaskEventKind.FAILED, 20);
    d.tick();
    closeTaskHour9();
    tasks(H9, TaskEventKind.FAILED, 1);

    List<Alert> alerts = alerts();
    assertThat(alerts).hasSize(1);
    Alert firing = alerts.get(0);
    assertThat(firing.getState()).isEqualTo(AlertState.FIRING);
    assertThat(firing.getRule()).isEqualTo("task_failure_spike");
    assertThat(firing.getEntityKey()).isEqualTo(PROJECT);
    assertThat(firing.getWindowStart()).isEqualTo(H9);
    assertThat(firing.getObservedValue()).isEqualTo(21.0);
    assertThat(firing.getThreshold()).isEqualTo(20.0);
    assertThat(firing.getCorrectionLateMs()).isEqualTo(LATE_MS);
    assertThat(firing.getFiredAt()).isEqualTo(WALL_START.plusSeconds(1));
    assertThat(firing.getAlertId())
        .isEqualTo(
            AlertEvaluator.alertId(
                "task_failure_spike", ORG, PROJECT, H9.toEpochMilli(), AlertState.FIRING));
    assertThat(firing.getMessage())
        .isEqualTo(
            "task_failure_spike: failed_count 21 of project "
                + PROJECT
                + " in organization "
                + ORG
                + " for the hour from 2026-11-20T09:00:00Z is above 20, corrected by a late event"
                + " (900000 ms after the hour's end)");
  }

  @Test
  void shouldResolveAFiredHourThatCorrectionsTakeUnderTheClearThreshold() {
    agents(H9, AgentEventKind.COMPLETED, 14);
    agents(H9, AgentEventKind.FAILED, 6); // 6 / 20 = 0.3 > 0.25
    d.tick();
    closeAgentHour9();
    assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.FIRING);

    agents(H9, AgentEventKind.COMPLETED, 40); // 6 / 60 = 0.1: not below 0.10
    assertThat(alerts()).isEmpty();
    agents(H9, AgentEventKind.COMPLETED, 1); // 6 / 61 < 0.10
    agents(H9, AgentEventKind.COMPLETED, 1);

    List<Alert> alerts = alerts();
    assertThat(alerts).hasSize(1);
    Alert resolved = alerts.get(0);
    assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
    assertThat(resolved.getRule()).isEqualTo("agent_failure_rate");
    assertThat(resolved.getEntityKey()).isEqualTo(AGENT);
    assertThat(resolved.getWindowStart()).isEqualTo(H9);
    assertThat(resolved.getObservedValue()).isEqualTo(6.0 / 61);
    assertThat(resolved.getThreshold()).isEqualTo(0.10);
    assertThat(resolved.getFiredAt()).isEqualTo(WALL_START.plusSeconds(1));
    assertThat(resolved.getResolvedAt()).isEqualTo(WALL_START.plusSeconds(1));
    assertThat(resolved.getCorrectionLateMs()).isEqualTo(LATE_MS);
    assertThat(resolved.getAlertId())
        .isEqualTo(
            AlertEvaluator.alertId(
                "agent_failure_rate", ORG, AGENT, H9.toEpochMilli(), AlertState.RESOLVED));
  }

  @Test
  void shouldNotFireAgainForAnHourThatFiredWhileItRan() {
    tasks(H9, TaskEventKind.FAILED, 21);
    d.tick();
    closeTaskHour9();
    assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.FIRING);

    tasks(H9, TaskEventKind.FAILED, 4);
    d.tick();

    assertThat(alerts()).isEmpty();
  }

  @Test
  void shouldNotFireAgainForAResolvedHourThatCorrectionsTakeAboveTheThreshold() {
    agents(H9, AgentEventKind.COMPLETED, 14);
    agents(H9, AgentEventKind.FAILED, 6);
    d.tick();
    closeAgentHour9();
    agents(H9, AgentEventKind.COMPLETED, 41); // resolves H9
    assertThat(alerts())
        .extracting(Alert::getState)
        .containsExactly(AlertState.FIRING, AlertState.RESOLVED);

    agents(H9, AgentEventKind.FAILED, 40); // 46 / 101 > 0.25 again

    assertThat(alerts()).isEmpty();
  }

  @Test
  void shouldResolveEarlierHoursWhenACorrectionTakesALaterClosedHourUnderTheClearThreshold() {
    agents(H9, AgentEventKind.COMPLETED, 14);
    agents(H9, AgentEventKind.FAILED, 6); // 0.3: fires
    d.tick();
    agents(H10, AgentEventKind.COMPLETED, 17);
    agents(H10, AgentEventKind.FAILED, 3); // 3 / 20 = 0.15: H10 will close not below 0.10
    d.send(Events.agent(ORG, minute(H11, 15), AgentEventKind.STARTED).build());
    assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.FIRING);

    agents(H10, AgentEventKind.COMPLETED, 10); // 3 / 30 = 0.1: not below
    assertThat(alerts()).isEmpty();
    agents(H10, AgentEventKind.COMPLETED, 1); // 3 / 31 < 0.10

    List<Alert> alerts = alerts();
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).getState()).isEqualTo(AlertState.RESOLVED);
    assertThat(alerts.get(0).getWindowStart()).isEqualTo(H9);
    assertThat(alerts.get(0).getObservedValue()).isEqualTo(3.0 / 31);
    assertThat(alerts.get(0).getCorrectionLateMs()).isEqualTo(LATE_MS);
  }

  @Test
  void shouldEvaluateNothingForAnHourOlderThanTheCorrectionHorizon() {
    d.close();
    d =
        new Driver(
            stateDir.resolve("short"),
            Map.of(ProcessorConfig.CORRECTION_HORIZON_MS, Long.toString(3_600_000L)));
    tasks(H9, TaskEventKind.FAILED, 15);
    d.tick();
    tasks(H10, TaskEventKind.CREATED, 1);
    d.tick();
    d.send(Events.task(ORG, minute(H11, 15), TaskEventKind.CREATED).build()); // closes H10
    d.rollups();

    tasks(H9, TaskEventKind.FAILED, 6); // 21, but H9 is beyond the horizon

    assertThat(alerts()).isEmpty();
    assertThat(d.rollups()).hasSize(6).allMatch(r -> r instanceof TaskCorrection);
  }
}
