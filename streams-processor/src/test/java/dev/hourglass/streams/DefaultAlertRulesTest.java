package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static dev.hourglass.streams.Driver.WALL_START;
import static dev.hourglass.streams.Events.AGENT;
import static dev.hourglass.streams.Events.ORG;
import static dev.hourglass.streams.Events.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each default rule fires once while its hour is still running, stays quiet on later updates of
 * that hour, and resolves once when a later hour of the same key closes under the clear threshold.
 */
class DefaultAlertRulesTest {
  private static final Instant H10 = H9.plus(Duration.ofHours(1));
  private static final Instant H11 = H9.plus(Duration.ofHours(2));

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

  /**
   * Runs the scenario: {@code firing} events in H9, a tick (the update is evaluated), {@code more}
   * events in H9, a tick, {@code clearing} events in H10, then an event at 11:10 that closes H10.
   */
  private List<KeyValue<String, Alert>> scenario(
      Consumer<Instant> firing,
      Consumer<Instant> more,
      Consumer<Instant> clearing,
      Runnable close) {
    firing.accept(H9);
    d.tick();
    List<KeyValue<String, Alert>> whileRunning = d.alerts();
    assertThat(whileRunning).as("FIRING while the hour runs").hasSize(1);
    assertThat(whileRunning.get(0).value.getState()).isEqualTo(AlertState.FIRING);
    more.accept(H9);
    d.tick();
    clearing.accept(H10);
    d.tick();
    close.run();
    List<KeyValue<String, Alert>> all = new java.util.ArrayList<>(whileRunning);
    all.addAll(d.alerts());
    return all;
  }

  private static void assertFiredOnceAndResolvedOnce(
      List<KeyValue<String, Alert>> alerts,
      String rule,
      String entityType,
      String entityKey,
      Severity severity,
      double fired,
      double fireAbove,
      double cleared,
      double clearBelow) {
    String key = rule + "|" + ORG + "|" + entityKey;
    assertThat(alerts).extracting(kv -> kv.key).containsExactly(key, key);
    Alert firing = alerts.get(0).value;
    Alert resolved = alerts.get(1).value;
    assertThat(firing.getRule()).isEqualTo(rule);
    assertThat(firing.getState()).isEqualTo(AlertState.FIRING);
    assertThat(firing.getSeverity()).isEqualTo(severity);
    assertThat(firing.getOrganizationId()).isEqualTo(ORG);
    assertThat(firing.getEntityType()).isEqualTo(entityType);
    assertThat(firing.getEntityKey()).isEqualTo(entityKey);
    assertThat(firing.getWindowStart()).isEqualTo(H9);
    assertThat(firing.getWindowEnd()).isEqualTo(H10);
    assertThat(firing.getObservedValue()).isEqualTo(fired);
    assertThat(firing.getThreshold()).isEqualTo(fireAbove);
    assertThat(firing.getFiredAt()).isEqualTo(WALL_START.plusSeconds(1));
    assertThat(firing.getResolvedAt()).isNull();
    assertThat(firing.getAlertId())
        .isEqualTo(
            AlertEvaluator.alertId(rule, ORG, entityKey, H9.toEpochMilli(), AlertState.FIRING));
    assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
    assertThat(resolved.getWindowStart()).isEqualTo(H9);
    assertThat(resolved.getObservedValue()).isEqualTo(cleared);
    assertThat(resolved.getThreshold()).isEqualTo(clearBelow);
    assertThat(resolved.getFiredAt()).isEqualTo(firing.getFiredAt());
    assertThat(resolved.getResolvedAt()).isEqualTo(WALL_START.plusSeconds(3));
    assertThat(resolved.getAlertId()).isNotEqualTo(firing.getAlertId());
  }

  private void agents(Instant hour, AgentEventKind kind, int n, Consumer<AgentEventBuilder> set) {
    for (int i = 0; i < n; i++) {
      var b = Events.agent(ORG, minute(hour, i % 60), kind);
      set.accept(new AgentEventBuilder(b));
      d.send(b.build());
    }
  }

  /** Lets a lambda set fields without naming the generated builder type everywhere. */
  record AgentEventBuilder(dev.hourglass.events.AgentEvent.Builder b) {}

  private void agents(Instant hour, AgentEventKind kind, int n) {
    agents(hour, kind, n, b -> {});
  }

  @Test
  void shouldFireAndResolveAgentFailureRate() {
    var alerts =
        scenario(
            h -> {
              agents(h, AgentEventKind.COMPLETED, 14);
              agents(h, AgentEventKind.FAILED, 6); // 6 / 20 = 0.3 > 0.25 with 20 runs
            },
            h -> agents(h, AgentEventKind.FAILED, 1), // 7 / 21: still firing, no second FIRING
            h -> {
              agents(h, AgentEventKind.COMPLETED, 20);
              agents(h, AgentEventKind.FAILED, 1); // 1 / 21 < 0.10
            },
            () -> d.send(Events.agent(ORG, minute(H11, 10), AgentEventKind.STARTED).build()));
    assertFiredOnceAndResolvedOnce(
        alerts, "agent_failure_rate", "agent", AGENT, Severity.WARNING, 0.3, 0.25, 1.0 / 21, 0.10);
  }

  @Test
  void shouldFireAndResolveAgentHourlyCost() {
    var alerts =
        scenario(
            h -> agents(h, AgentEventKind.COMPLETED, 1, b -> b.b().setCostMicros(60_000_000)),
            h -> agents(h, AgentEventKind.COMPLETED, 1, b -> b.b().setCostMicros(1_000_000)),
            h -> agents(h, AgentEventKind.COMPLETED, 1, b -> b.b().setCostMicros(10_000_000)),
            () -> d.send(Events.agent(ORG, minute(H11, 10), AgentEventKind.STARTED).build()));
    assertFiredOnceAndResolvedOnce(
        alerts, "agent_hourly_cost", "agent", AGENT, Severity.WARNING, 60.0, 50.0, 10.0, 40.0);
  }

  @Test
  void shouldFireAndResolveAgentP95Duration() {
    // 700,000 ms is in bucket 78, reported as its upper bound 2^19.5 ms.
    double p95Fired = Math.pow(2, 19.5);
    var alerts =
        scenario(
            h -> agents(h, AgentEventKind.COMPLETED, 10, b -> b.b().setDurationMs(700_000L)),
            h -> agents(h, AgentEventKind.COMPLETED, 1, b -> b.b().setDurationMs(900_000L)),
            h -> agents(h, AgentEventKind.COMPLETED, 10, b -> b.b().setDurationMs(1_000L)),
            () -> d.send(Events.agent(ORG, minute(H11, 10), AgentEventKind.STARTED).build()));
    assertFiredOnceAndResolvedOnce(
        alerts,
        "agent_p95_duration",
        "agent",
        AGENT,
        Severity.WARNING,
        p95Fired,
        600_000,
        1024.0,
        300_000);
  }

  private void integrations(Instant hour, IntegrationStatus status, int n) {
    for (int i = 0; i < n; i++) {
      d.send(Events.integration(ORG, minute(hour, i % 60), status).build());
    }
  }

  @Test
  void shouldFireAndResolveIntegrationErrorRate() {
    var alerts =
        scenario(
            h -> {
              integrations(h, IntegrationStatus.SUCCESS, 45);
              integrations(h, IntegrationStatus.ERROR, 5); // 5 / 50 = 0.1 > 0.05 with 50 events
            },
            h -> integrations(h, IntegrationStatus.ERROR, 1),
            h -> integrations(h, IntegrationStatus.SUCCESS, 50), // 0 < 0.01
            () ->
                d.send(
                    Events.integration(ORG, minute(H11, 10), IntegrationStatus.SUCCESS).build()));
    assertFiredOnceAndResolvedOnce(
        alerts,
        "integration_error_rate",
        "integration",
        "github",
        Severity.CRITICAL,
        0.1,
        0.05,
        0.0,
        0.01);
  }

  private void tasks(Instant hour, TaskEventKind kind, int n) {
    for (int i = 0; i < n; i++) {
      d.send(Events.task(ORG, minute(hour, i % 60), kind).build());
    }
  }

  @Test
  void shouldFireAndResolveTaskFailureSpike() {
    var alerts =
        scenario(
            h -> tasks(h, TaskEventKind.FAILED, 21), // 21 > 20
            h -> tasks(h, TaskEventKind.FAILED, 3),
            h -> tasks(h, TaskEventKind.FAILED, 1), // 1 < 5
            () -> d.send(Events.task(ORG, minute(H11, 10), TaskEventKind.CREATED).build()));
    assertFiredOnceAndResolvedOnce(
        alerts, "task_failure_spike", "project", PROJECT, Severity.WARNING, 21, 20, 1, 5);
  }

  @Test
  void shouldNotResolveWhileTheLaterHourIsStillAboveTheClearThreshold() {
    tasks(H9, TaskEventKind.FAILED, 21);
    d.tick();
    tasks(H10, TaskEventKind.FAILED, 5); // not below 5
    d.send(Events.task(ORG, minute(H11, 10), TaskEventKind.CREATED).build());
    assertThat(d.alerts())
        .extracting(kv -> kv.value.getState(), kv -> kv.value.getWindowStart())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertState.FIRING, H9));
  }

  @Test
  void shouldWriteAlertsAsJsonWhenConfigured() {
    d.close();
    d = new Driver(stateDir.resolve("json"), Map.of(ProcessorConfig.ALERTS_FORMAT, "json"));
    tasks(H9, TaskEventKind.FAILED, 21);
    d.tick();
    var alert = d.alertsText.readKeyValue();
    String id =
        AlertEvaluator.alertId(
            "task_failure_spike", ORG, PROJECT, H9.toEpochMilli(), AlertState.FIRING);
    assertThat(alert.key).isEqualTo("task_failure_spike|" + ORG + "|" + PROJECT);
    assertThat(alert.value)
        .isEqualTo(
            "{\"alert_id\":\""
                + id
                + "\",\"rule\":\"task_failure_spike\",\"severity\":\"WARNING\",\"state\":\"FIRING\","
                + "\"organization_id\":\""
                + ORG
                + "\",\"entity_type\":\"project\",\"entity_key\":\""
                + PROJECT
                + "\",\"window_start\":\"2026-11-20T09:00:00Z\",\"window_end\":\"2026-11-20T10:00:00Z\","
                + "\"observed_value\":21.0,\"threshold\":20.0,\"fired_at\":\"2026-11-20T12:00:01Z\","
                + "\"resolved_at\":null,\"message\":\"task_failure_spike: failed_count 21 of project "
                + PROJECT
                + " in organization "
                + ORG
                + " for the hour from 2026-11-20T09:00:00Z is above 20\","
                + "\"correction_late_ms\":null}");
  }
}
