package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.rollups.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTest {

  @Test
  void shouldShipTheFiveDocumentedDefaultRules() {
    assertThat(Rules.defaults().rules())
        .containsExactly(
            new Rule(
                "agent_failure_rate",
                Families.AGENT,
                Metric.FAILURE_RATE,
                0.25,
                0.10,
                20,
                Severity.WARNING),
            new Rule(
                "agent_hourly_cost", Families.AGENT, Metric.COST_USD, 50, 40, 1, Severity.WARNING),
            new Rule(
                "integration_error_rate",
                Families.INTEGRATION,
                Metric.ERROR_RATE,
                0.05,
                0.01,
                50,
                Severity.CRITICAL),
            new Rule(
                "task_failure_spike",
                Families.TASK,
                Metric.FAILED_COUNT,
                20,
                5,
                1,
                Severity.WARNING),
            new Rule(
                "agent_p95_duration",
                Families.AGENT,
                Metric.P95_DURATION_MS,
                600_000,
                300_000,
                10,
                Severity.WARNING));
  }

  @Test
  void shouldReadRulesFromAJsonFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.json");
    Files.writeString(
        file,
        "{\"rules\": [{\"name\": \"slow_integrations\", \"family\": \"integration\","
            + " \"metric\": \"p95_latency_ms\", \"fire_above\": 5000, \"clear_below\": 1000,"
            + " \"min_events\": 100, \"severity\": \"critical\"}]}");
    assertThat(Rules.load(file).rules())
        .containsExactly(
            new Rule(
                "slow_integrations",
                Families.INTEGRATION,
                Metric.P95_LATENCY_MS,
                5000,
                1000,
                100,
                Severity.CRITICAL));
  }

  @Test
  void shouldReportEveryProblemInARulesFile() {
    String yaml =
        """
        rules:
          - name: Bad-Name
            family: agent
            metric: error_rate
            fire_above: 0.1
            clear_below: 0.2
            min_events: 0
            severity: loud
            colour: red
          - name: ok_rule
            family: build
            metric: failed_count
            fire_above: -1
            clear_below: 0
        """;
    assertThatThrownBy(() -> Rules.parse(yaml, "test.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "rules file test.yaml has 8 problem(s): "
                + "Invalid value colour for configuration rules[0]: unknown field, expected one of"
                + " [clear_below, family, fire_above, metric, min_events, name, severity]; "
                + "Invalid value Bad-Name for configuration rules[0].name: must be 1 to 64"
                + " characters of a-z, 0-9 and _ (it is part of the alert key); "
                + "Invalid value error_rate for configuration rules[0].metric: family agent offers"
                + " [cost_usd, failed_count, failure_rate, p95_duration_ms]; "
                + "Invalid value 0.2 for configuration rules[0].clear_below: must not be above"
                + " fire_above 0.1; "
                + "Invalid value 0 for configuration rules[0].min_events: must be a whole number"
                + " >= 1; "
                + "Invalid value loud for configuration rules[0].severity: must be info, warning or"
                + " critical; "
                + "Invalid value build for configuration rules[1].family: must be task, agent or"
                + " integration; "
                + "Invalid value -1 for configuration rules[1].fire_above: required, a finite"
                + " number >= 0");
  }

  @Test
  void shouldRefuseTwoRulesWithTheSameName() {
    String yaml =
        """
        rules:
          - {name: a, family: task, metric: failed_count, fire_above: 2, clear_below: 1}
          - {name: a, family: task, metric: failed_count, fire_above: 3, clear_below: 1}
        """;
    assertThatThrownBy(() -> Rules.parse(yaml, "dup.yaml"))
        .hasMessage(
            "rules file dup.yaml has 1 problem(s): Invalid value a for configuration"
                + " rules[1].name: duplicate rule name");
  }
}
