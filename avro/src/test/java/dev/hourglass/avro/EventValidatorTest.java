package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventValidatorTest {
  private static final Clock CLOCK = Clock.fixed(Samples.NOW, ZoneOffset.UTC);
  private static final EventValidator VALIDATOR = EventValidator.standard(CLOCK);
  private static final String A40 = "a".repeat(40);

  @Test
  void shouldAcceptValidEventsOfEveryType() {
    assertThat(VALIDATOR.validate(Samples.task())).isEmpty();
    assertThat(VALIDATOR.validate(Samples.agent())).isEmpty();
    assertThat(VALIDATOR.validate(Samples.integration())).isEmpty();
  }

  @Test
  void shouldAcceptEventsWithEveryOptionalFieldNull() {
    TaskEvent task = Samples.task();
    task.setAssignedTo(null);
    task.setTitle(null);
    task.setEstimatedHours(null);
    task.setActualHours(null);
    task.setExecutionId(null);
    task.setSource(null);
    task.setMetadata(Map.of());
    AgentEvent agent = Samples.agent();
    agent.setProjectId(null);
    agent.setPerformanceScore(null);
    agent.setDurationMs(null);
    agent.setRepository(null);
    IntegrationEvent integration = Samples.integration();
    integration.setPayload(null);

    assertThat(VALIDATOR.validate(task)).isEmpty();
    assertThat(VALIDATOR.validate(agent)).isEmpty();
    assertThat(VALIDATOR.validate(integration)).isEmpty();
  }

  static Stream<Arguments> taskViolations() {
    return Stream.of(
        task(
            "event_id null",
            e -> e.setEventId(null),
            "INVALID_REQUIRED",
            "event_id",
            "event_id: missing (null)"),
        task(
            "organization_id empty",
            e -> e.setOrganizationId(""),
            "INVALID_REQUIRED",
            "organization_id",
            "organization_id: \"\" is empty"),
        task(
            "organization_id not a UUID",
            e -> e.setOrganizationId("abc"),
            "INVALID_UUID",
            "organization_id",
            "organization_id: \"abc\" is not a UUID"),
        task(
            "event_id upper case",
            e -> e.setEventId("F47AC10B-58CC-4372-A567-0E02B2C3D479"),
            "INVALID_UUID",
            "event_id",
            "event_id: \"F47AC10B-58CC-4372-A567-0E02B2C3D479\" is not a UUID"),
        task(
            "project_id without dashes",
            e -> e.setProjectId("5a6b7c8d9e0f4a1b8c2d3e4f5a6b7c8d"),
            "INVALID_UUID",
            "project_id",
            "project_id: \"5a6b7c8d9e0f4a1b8c2d3e4f5a6b7c8d\" is not a UUID"),
        task(
            "task_id with braces",
            e -> e.setTaskId("{9c8b7a6d-5e4f-4321-9abc-def01234567}"),
            "INVALID_UUID",
            "task_id",
            "task_id: \"{9c8b7a6d-5e4f-4321-9abc-def01234567}\" is not a UUID"),
        task(
            "assigned_to empty",
            e -> e.setAssignedTo(""),
            "INVALID_UUID",
            "assigned_to",
            "assigned_to: \"\" is not a UUID"),
        task(
            "execution_id with a g",
            e -> e.setExecutionId("6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a09g"),
            "INVALID_UUID",
            "execution_id",
            "execution_id: \"6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a09g\" is not a UUID"),
        task(
            "occurred_at null",
            e -> e.put("occurred_at", null),
            "INVALID_REQUIRED",
            "occurred_at",
            "occurred_at: missing (null)"),
        task(
            "occurred_at an hour ahead",
            e -> e.setOccurredAt(Instant.parse("2026-11-22T06:00:00Z")),
            "INVALID_FUTURE_TIME",
            "occurred_at",
            "occurred_at: 2026-11-22T06:00:00Z is 3600000 ms ahead of the clock (limit 300000 ms)"),
        task(
            "occurred_at 1 ms beyond the skew",
            e -> e.setOccurredAt(Instant.parse("2026-11-22T05:05:00.001Z")),
            "INVALID_FUTURE_TIME",
            "occurred_at",
            "occurred_at: 2026-11-22T05:05:00.001Z is 300001 ms ahead of the clock"
                + " (limit 300000 ms)"),
        task("kind null", e -> e.setKind(null), "INVALID_REQUIRED", "kind", "kind: missing (null)"),
        task(
            "priority 0",
            e -> e.setPriority(0),
            "INVALID_RANGE",
            "priority",
            "priority: 0 is outside 1..5"),
        task(
            "priority 6",
            e -> e.setPriority(6),
            "INVALID_RANGE",
            "priority",
            "priority: 6 is outside 1..5"),
        task(
            "title too long",
            e -> e.setTitle("a".repeat(513)),
            "INVALID_TOO_LONG",
            "title",
            "title: \"" + A40 + "...\" is 513 characters (limit 500)"),
        task(
            "estimated_hours negative",
            e -> e.setEstimatedHours(-1.5),
            "INVALID_NEGATIVE",
            "estimated_hours",
            "estimated_hours: -1.5 is negative"),
        task(
            "estimated_hours NaN",
            e -> e.setEstimatedHours(Double.NaN),
            "INVALID_NOT_FINITE",
            "estimated_hours",
            "estimated_hours: NaN is not a finite number"),
        task(
            "actual_hours infinite",
            e -> e.setActualHours(Double.POSITIVE_INFINITY),
            "INVALID_NOT_FINITE",
            "actual_hours",
            "actual_hours: Infinity is not a finite number"),
        task(
            "actual_hours negative",
            e -> e.setActualHours(-0.25),
            "INVALID_NEGATIVE",
            "actual_hours",
            "actual_hours: -0.25 is negative"),
        task(
            "metadata null",
            e -> e.setMetadata(null),
            "INVALID_REQUIRED",
            "metadata",
            "metadata: missing (null)"),
        task(
            "metadata key too long",
            e -> e.setMetadata(Map.of("k".repeat(600), "v")),
            "INVALID_TOO_LONG",
            "metadata",
            "metadata: key \"" + "k".repeat(40) + "...\" is 600 characters (limit 512)"),
        task(
            "metadata value too long",
            e -> e.setMetadata(Map.of("team", "v".repeat(513))),
            "INVALID_TOO_LONG",
            "metadata",
            "metadata: value of key \"team\" is 513 characters (limit 512)"),
        task(
            "metadata value null",
            e ->
                e.setMetadata(
                    new java.util.HashMap<>(java.util.Collections.singletonMap("team", null))),
            "INVALID_REQUIRED",
            "metadata",
            "metadata: value of key \"team\" missing (null)"),
        task(
            "source too long",
            e -> e.setSource("s".repeat(1000)),
            "INVALID_TOO_LONG",
            "source",
            "source: \"" + "s".repeat(40) + "...\" is 1000 characters (limit 512)"));
  }

  static Stream<Arguments> agentViolations() {
    return Stream.of(
        agent(
            "project_id not a UUID",
            e -> e.setProjectId("project-1"),
            "INVALID_UUID",
            "project_id",
            "project_id: \"project-1\" is not a UUID"),
        agent(
            "agent_id null",
            e -> e.setAgentId(null),
            "INVALID_REQUIRED",
            "agent_id",
            "agent_id: missing (null)"),
        agent(
            "agent_id not a UUID",
            e -> e.setAgentId("agent-7"),
            "INVALID_UUID",
            "agent_id",
            "agent_id: \"agent-7\" is not a UUID"),
        agent(
            "agent_type empty",
            e -> e.setAgentType(""),
            "INVALID_REQUIRED",
            "agent_type",
            "agent_type: \"\" is empty"),
        agent(
            "agent_type too long",
            e -> e.setAgentType("t".repeat(513)),
            "INVALID_TOO_LONG",
            "agent_type",
            "agent_type: \"" + "t".repeat(40) + "...\" is 513 characters (limit 100)"),
        agent(
            "agent_task_id not a UUID",
            e -> e.setAgentTaskId("2b3c4d5e-6f70-4819-a2b3-c4d5e6f7081"),
            "INVALID_UUID",
            "agent_task_id",
            "agent_task_id: \"2b3c4d5e-6f70-4819-a2b3-c4d5e6f7081\" is not a UUID"),
        agent(
            "kind null", e -> e.setKind(null), "INVALID_REQUIRED", "kind", "kind: missing (null)"),
        agent(
            "tokens_used negative",
            e -> e.setTokensUsed(-1),
            "INVALID_NEGATIVE",
            "tokens_used",
            "tokens_used: -1 is negative"),
        agent(
            "cost_micros negative",
            e -> e.setCostMicros(-5),
            "INVALID_NEGATIVE",
            "cost_micros",
            "cost_micros: -5 is negative"),
        agent(
            "cost_micros of 10^12 dollars",
            e -> e.setCostMicros(1_000_000_000_000_000_000L),
            "INVALID_RANGE",
            "cost_micros",
            "cost_micros: 1000000000000000000 is outside 0..999999999999999999"),
        agent(
            "performance_score above 1",
            e -> e.setPerformanceScore(1.5),
            "INVALID_RANGE",
            "performance_score",
            "performance_score: 1.5 is outside [0, 1]"),
        agent(
            "performance_score below 0",
            e -> e.setPerformanceScore(-0.1),
            "INVALID_RANGE",
            "performance_score",
            "performance_score: -0.1 is outside [0, 1]"),
        agent(
            "performance_score NaN",
            e -> e.setPerformanceScore(Double.NaN),
            "INVALID_NOT_FINITE",
            "performance_score",
            "performance_score: NaN is not a finite number"),
        agent(
            "duration_ms negative",
            e -> e.setDurationMs(-40L),
            "INVALID_NEGATIVE",
            "duration_ms",
            "duration_ms: -40 is negative"),
        agent(
            "repository too long",
            e -> e.setRepository("r".repeat(700)),
            "INVALID_TOO_LONG",
            "repository",
            "repository: \"" + "r".repeat(40) + "...\" is 700 characters (limit 512)"));
  }

  static Stream<Arguments> integrationViolations() {
    return Stream.of(
        integration(
            "event_id not a UUID",
            e -> e.setEventId("42"),
            "INVALID_UUID",
            "event_id",
            "event_id: \"42\" is not a UUID"),
        integration(
            "integration_type null",
            e -> e.setIntegrationType(null),
            "INVALID_REQUIRED",
            "integration_type",
            "integration_type: missing (null)"),
        integration(
            "integration_type too long",
            e -> e.setIntegrationType("g".repeat(513)),
            "INVALID_TOO_LONG",
            "integration_type",
            "integration_type: \"" + "g".repeat(40) + "...\" is 513 characters (limit 100)"),
        integration(
            "event_type empty",
            e -> e.setEventType(""),
            "INVALID_REQUIRED",
            "event_type",
            "event_type: \"\" is empty"),
        integration(
            "event_type too long",
            e -> e.setEventType("e".repeat(600)),
            "INVALID_TOO_LONG",
            "event_type",
            "event_type: \"" + "e".repeat(40) + "...\" is 600 characters (limit 255)"),
        integration(
            "status null",
            e -> e.setStatus(null),
            "INVALID_REQUIRED",
            "status",
            "status: missing (null)"),
        integration(
            "latency_ms negative",
            e -> e.setLatencyMs(-3),
            "INVALID_NEGATIVE",
            "latency_ms",
            "latency_ms: -3 is negative"),
        integration(
            "payload one byte too large",
            e -> e.setPayload("p".repeat(65_537)),
            "INVALID_PAYLOAD_TOO_LARGE",
            "payload",
            "payload: \"" + "p".repeat(40) + "...\" is 65537 bytes in UTF-8 (limit 65536)"),
        integration(
            "payload of two-byte characters too large",
            e -> e.setPayload("é".repeat(32_769)),
            "INVALID_PAYLOAD_TOO_LARGE",
            "payload",
            "payload: \"" + "é".repeat(40) + "...\" is 65538 bytes in UTF-8 (limit 65536)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"taskViolations", "agentViolations", "integrationViolations"})
  void shouldReportTheBrokenRuleWithFieldAndValue(
      String rule, SpecificRecord event, String code, String field, String message) {
    assertThat(VALIDATOR.validate(event)).contains(new Violation(code, field, message));
  }

  @Test
  void shouldAcceptEmptyMetadataKeysAndValuesAsData() {
    // avro/README.md: a null metadata value is INVALID_REQUIRED; an empty one is a value.
    TaskEvent task = Samples.task();
    task.setMetadata(Map.of("team", "", "", "x"));

    assertThat(VALIDATOR.validate(task)).isEmpty();
  }

  @Test
  void shouldAcceptValuesExactlyAtTheirLimits() {
    TaskEvent task = Samples.task();
    task.setOccurredAt(Instant.parse("2026-11-22T05:05:00Z"));
    // title, agent_type, integration_type and event_type are capped by their PostgreSQL columns.
    task.setTitle("a".repeat(500));
    task.setPriority(5);
    task.setEstimatedHours(0.0);
    task.setMetadata(Map.of("k".repeat(512), "v".repeat(512)));
    AgentEvent agent = Samples.agent();
    agent.setPerformanceScore(1.0);
    agent.setTokensUsed(0);
    agent.setCostMicros(0);
    agent.setAgentType("t".repeat(100));
    agent.setRepository("r".repeat(512));
    IntegrationEvent integration = Samples.integration();
    integration.setPayload("p".repeat(65_536));
    integration.setIntegrationType("g".repeat(100));
    integration.setEventType("e".repeat(255));

    assertThat(VALIDATOR.validate(task)).isEmpty();
    assertThat(VALIDATOR.validate(agent)).isEmpty();
    assertThat(VALIDATOR.validate(integration)).isEmpty();
  }

  @Test
  void shouldCountCharactersAsCodePointsAndPayloadAsUtf8Bytes() {
    TaskEvent task = Samples.task();
    // 512 emoji: 1024 UTF-16 units, 512 characters.
    task.setSource("\uD83D\uDE00".repeat(512));
    IntegrationEvent integration = Samples.integration();
    // 16384 four-byte characters: exactly 65536 bytes.
    integration.setPayload("\uD83D\uDE00".repeat(16_384));

    assertThat(VALIDATOR.validate(task)).isEmpty();
    assertThat(VALIDATOR.validate(integration)).isEmpty();
    assertThat(EventValidator.utf8Length("aé€\uD83D\uDE00")).isEqualTo(1 + 2 + 3 + 4);
  }

  @Test
  void shouldReportTheFirstViolationInSchemaFieldOrder() {
    AgentEvent agent = Samples.agent();
    agent.setCostMicros(-5);
    agent.setTokensUsed(-1);
    agent.setOrganizationId("abc");

    assertThat(VALIDATOR.validate(agent).map(Violation::field)).contains("organization_id");
    agent.setOrganizationId(Samples.ORG);
    assertThat(VALIDATOR.validate(agent).map(Violation::field)).contains("tokens_used");
  }

  @Test
  void shouldEscapeQuotesAndControlCharactersInQuotedValues() {
    TaskEvent task = Samples.task();
    task.setOrganizationId("a\"b\\c\nd");

    assertThat(VALIDATOR.validate(task).map(Violation::message))
        .contains("organization_id: \"a\\\"b\\\\c\\u000ad\" is not a UUID");
  }

  @Test
  void shouldApplyConfiguredLimits() {
    EventValidator strict = new EventValidator(new ValidationLimits(Duration.ZERO, 8, 16), CLOCK);
    TaskEvent task = Samples.task();
    task.setOccurredAt(Samples.NOW.plusMillis(1));
    IntegrationEvent integration = Samples.integration();
    integration.setEventType("push");

    assertThat(strict.validate(task))
        .contains(
            new Violation(
                "INVALID_FUTURE_TIME",
                "occurred_at",
                "occurred_at: 2026-11-22T05:00:00.001Z is 1 ms ahead of the clock (limit 0 ms)"));
    task.setOccurredAt(Samples.NOW);
    assertThat(strict.validate(task))
        .contains(
            new Violation(
                "INVALID_TOO_LONG",
                "title",
                "title: \"Add retry to the webhook client\" is 31 characters (limit 8)"));
    assertThat(strict.validate(integration))
        .contains(
            new Violation(
                "INVALID_PAYLOAD_TOO_LARGE",
                "payload",
                "payload: \"{\\\"action\\\":\\\"opened\\\",\\\"number\\\":42}\" is 31 bytes in"
                    + " UTF-8 (limit 16)"));
  }

  @Test
  void shouldRefuseRecordsThatAreNotEvents() {
    assertThatThrownBy(() -> VALIDATOR.validate(Samples.alert()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "EventValidator checks TaskEvent, AgentEvent and IntegrationEvent, not"
                + " dev.hourglass.rollups.Alert");
  }

  @Test
  void shouldReportEveryBadLimitAtOnce() {
    assertThatThrownBy(() -> new ValidationLimits(Duration.ofSeconds(-1), 0, -4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value PT-1S for configuration maxFutureSkew: must be zero or positive;"
                + " Invalid value 0 for configuration maxStringLength: must be >= 1;"
                + " Invalid value -4 for configuration maxPayloadBytes: must be >= 1");
  }

  @Test
  void shouldDefaultToFiveMinutes512CharactersAnd64KiB() {
    assertThat(ValidationLimits.defaults())
        .isEqualTo(new ValidationLimits(Duration.ofMinutes(5), 512, 65_536));
  }

  private static Arguments task(
      String rule, Consumer<TaskEvent> change, String code, String field, String message) {
    TaskEvent event = Samples.task();
    change.accept(event);
    return arguments(rule, event, code, field, message);
  }

  private static Arguments agent(
      String rule, Consumer<AgentEvent> change, String code, String field, String message) {
    AgentEvent event = Samples.agent();
    change.accept(event);
    return arguments(rule, event, code, field, message);
  }

  private static Arguments integration(
      String rule, Consumer<IntegrationEvent> change, String code, String field, String message) {
    IntegrationEvent event = Samples.integration();
    change.accept(event);
    return arguments(rule, event, code, field, message);
  }
}
