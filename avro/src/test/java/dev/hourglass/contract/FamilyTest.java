package dev.hourglass.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.KnownSchemas;
import dev.hourglass.avro.Samples;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FamilyTest {

  @Test
  void shouldDeclareTheThreeFamiliesWithTheirNamesEntitiesAndTopics() {
    assertThat(Family.values()).containsExactly(Family.TASK, Family.AGENT, Family.INTEGRATION);
    assertThat(Arrays.stream(Family.values()).map(Family::id))
        .containsExactly("task", "agent", "integration");
    assertThat(Arrays.stream(Family.values()).map(Family::entityType))
        .containsExactly("project", "agent", "integration");
    assertThat(Arrays.stream(Family.values()).map(Family::entityKeyField))
        .containsExactly("project_id", "agent_id", "integration_type");
    assertThat(Arrays.stream(Family.values()).map(Family::eventTopicBase))
        .containsExactly("task-events", "agent-events", "integration-events");
  }

  @Test
  void shouldDeclareEachFamilysEventRollupCorrectionAndMeasures() {
    assertThat(Family.TASK.eventType()).isEqualTo(TaskEvent.class);
    assertThat(Family.TASK.rollupType()).isEqualTo(TaskRollup.class);
    assertThat(Family.TASK.correctionType()).isEqualTo(TaskCorrection.class);
    assertThat(Family.TASK.measuresSchema()).isEqualTo(TaskMeasures.getClassSchema());
    assertThat(Family.AGENT.eventType()).isEqualTo(AgentEvent.class);
    assertThat(Family.AGENT.rollupType()).isEqualTo(AgentRollup.class);
    assertThat(Family.AGENT.correctionType()).isEqualTo(AgentCorrection.class);
    assertThat(Family.AGENT.measuresSchema()).isEqualTo(AgentMeasures.getClassSchema());
    assertThat(Family.INTEGRATION.eventType()).isEqualTo(IntegrationEvent.class);
    assertThat(Family.INTEGRATION.rollupType()).isEqualTo(IntegrationRollup.class);
    assertThat(Family.INTEGRATION.correctionType()).isEqualTo(IntegrationCorrection.class);
    assertThat(Family.INTEGRATION.measuresSchema()).isEqualTo(IntegrationMeasures.getClassSchema());
  }

  @Test
  void shouldReadTheSharedFieldsOfEachFamilysEvent() {
    TaskEvent task = Samples.task();
    assertThat(Family.TASK.eventId(task)).isEqualTo("f47ac10b-58cc-4372-a567-0e02b2c3d479");
    assertThat(Family.TASK.occurredAt(task)).isEqualTo(Instant.parse("2026-11-22T04:59:30.125Z"));
    assertThat(Family.TASK.organizationId(task)).isEqualTo(Samples.ORG);
    assertThat(Family.TASK.entityKey(task)).isEqualTo(Samples.PROJECT);

    AgentEvent agent = Samples.agent();
    assertThat(Family.AGENT.eventId(agent)).isEqualTo("1e2d3c4b-5a69-4788-97a6-b5c4d3e2f100");
    assertThat(Family.AGENT.occurredAt(agent)).isEqualTo(Instant.parse("2026-11-22T04:58:00Z"));
    assertThat(Family.AGENT.organizationId(agent)).isEqualTo(Samples.ORG);
    assertThat(Family.AGENT.entityKey(agent)).isEqualTo(Samples.AGENT);

    IntegrationEvent integration = Samples.integration();
    assertThat(Family.INTEGRATION.eventId(integration))
        .isEqualTo("8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a");
    assertThat(Family.INTEGRATION.occurredAt(integration))
        .isEqualTo(Instant.parse("2026-11-22T04:57:00Z"));
    assertThat(Family.INTEGRATION.organizationId(integration)).isEqualTo(Samples.ORG);
    assertThat(Family.INTEGRATION.entityKey(integration)).isEqualTo("github");
  }

  @Test
  void shouldReadOrganizationEntityAndWindowOfRollupsAndCorrections() {
    assertThat(Family.TASK.organizationId(Samples.taskRollup())).isEqualTo(Samples.ORG);
    assertThat(Family.TASK.entityKey(Samples.taskRollup())).isEqualTo(Samples.PROJECT);
    assertThat(Family.TASK.windowStart(Samples.taskRollup())).isEqualTo(Samples.HOUR);
    assertThat(Family.TASK.entityKey(Samples.taskCorrection())).isEqualTo(Samples.PROJECT);
    assertThat(Family.TASK.windowStart(Samples.taskCorrection()))
        .isEqualTo(Instant.parse("2026-11-22T03:00:00Z"));

    assertThat(Family.AGENT.organizationId(Samples.agentRollup())).isEqualTo(Samples.ORG);
    assertThat(Family.AGENT.entityKey(Samples.agentRollup())).isEqualTo(Samples.AGENT);
    assertThat(Family.AGENT.windowStart(Samples.agentRollup())).isEqualTo(Samples.HOUR);
    assertThat(Family.AGENT.organizationId(Samples.agentCorrection())).isEqualTo(Samples.ORG);
    assertThat(Family.AGENT.windowStart(Samples.agentCorrection()))
        .isEqualTo(Instant.parse("2026-11-22T02:00:00Z"));

    assertThat(Family.INTEGRATION.entityKey(Samples.integrationRollup())).isEqualTo("github");
    assertThat(Family.INTEGRATION.windowStart(Samples.integrationRollup())).isEqualTo(Samples.HOUR);
    assertThat(Family.INTEGRATION.entityKey(Samples.integrationCorrection())).isEqualTo("slack");
    assertThat(Family.INTEGRATION.windowStart(Samples.integrationCorrection()))
        .isEqualTo(Instant.parse("2026-11-22T03:00:00Z"));
  }

  @Test
  void shouldFindTheFamilyOfAnEventRollupOrCorrectionByRecordClassOrId() {
    assertThat(Family.ofEvent(Samples.task())).isEqualTo(Family.TASK);
    assertThat(Family.ofEvent(Samples.agent())).isEqualTo(Family.AGENT);
    assertThat(Family.ofEvent(Samples.integration())).isEqualTo(Family.INTEGRATION);
    assertThat(Family.ofRollup(Samples.taskRollup())).isEqualTo(Family.TASK);
    assertThat(Family.ofRollup(Samples.agentCorrection())).isEqualTo(Family.AGENT);
    assertThat(Family.ofRollup(Samples.integrationRollup())).isEqualTo(Family.INTEGRATION);

    assertThat(Family.forEventType(AgentEvent.class)).contains(Family.AGENT);
    assertThat(Family.forEventType(AgentRollup.class)).isEmpty();
    assertThat(Family.forRollupType(IntegrationCorrection.class)).contains(Family.INTEGRATION);
    assertThat(Family.forRollupType(TaskRollup.class)).contains(Family.TASK);
    assertThat(Family.forRollupType(TaskEvent.class)).isEmpty();

    assertThat(Family.forId("integration")).contains(Family.INTEGRATION);
    assertThat(Family.forId("TASK")).isEqualTo(Optional.empty());
  }

  @Test
  void shouldRejectARecordOfNoFamilyNamingWhatItIsAndWhatIsKnown() {
    Alert alert = Samples.alert();
    assertThat(Family.forEventType(Alert.class)).isEmpty();
    assertThat(Family.forRollupType(Alert.class)).isEmpty();
    assertThatThrownBy(() -> Family.ofEvent(alert))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.rollups.Alert is not the event of any family"
                + " (events: TaskEvent, AgentEvent, IntegrationEvent)");
    assertThatThrownBy(() -> Family.ofRollup(Samples.task()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.events.TaskEvent is not the rollup or correction of any family"
                + " (rollups: TaskRollup, AgentRollup, IntegrationRollup;"
                + " corrections: TaskCorrection, AgentCorrection, IntegrationCorrection)");
  }

  @Test
  void shouldRefuseAnotherFamilysRecordInAnAccessor() {
    assertThatThrownBy(() -> Family.TASK.eventId(Samples.agent()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a dev.hourglass.events.AgentEvent is not the task family's event (TaskEvent)");
    assertThatThrownBy(() -> Family.TASK.eventId(Samples.taskRollup()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.rollups.TaskRollup is not the task family's event (TaskEvent)");
    assertThatThrownBy(() -> Family.AGENT.organizationId(Samples.taskRollup()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.rollups.TaskRollup is not the agent family's event, rollup or correction"
                + " (AgentEvent, AgentRollup, AgentCorrection)");
    assertThatThrownBy(() -> Family.INTEGRATION.windowStart(Samples.integration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.events.IntegrationEvent is not the integration family's"
                + " rollup or correction"
                + " (IntegrationRollup, IntegrationCorrection)");
  }

  @Test
  void shouldHaveEveryFamilyTypeInTheSchemaStore() {
    for (Family f : Family.values()) {
      assertThat(KnownSchemas.TYPES)
          .as(f.id() + ": add its types to KnownSchemas.TYPES")
          .contains(f.eventType(), f.rollupType(), f.correctionType());
    }
  }
}
