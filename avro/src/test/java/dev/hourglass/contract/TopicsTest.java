package dev.hourglass.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.Samples;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class TopicsTest {
  private final Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);

  @Test
  void shouldNameTheSevenTopicsUnderTheDefaultPrefix() {
    assertThat(Topics.DEFAULT_PREFIX).isEqualTo("hourglass.");
    assertThat(Topics.BASES)
        .containsExactly(
            "task-events",
            "agent-events",
            "integration-events",
            "rollups",
            "alerts",
            "dead-letters",
            "stats",
            "schemas");
    assertThat(topics.names())
        .containsExactly(
            "hourglass.task-events",
            "hourglass.agent-events",
            "hourglass.integration-events",
            "hourglass.rollups",
            "hourglass.alerts",
            "hourglass.dead-letters",
            "hourglass.stats",
            "hourglass.schemas");
  }

  @Test
  void shouldNameEachTypedTopicUnderAnyPrefix() {
    Topics t = Topics.withPrefix("t.");
    assertThat(t.prefix()).isEqualTo("t.");
    assertThat(t.events(Family.TASK).name()).isEqualTo("t.task-events");
    assertThat(t.events(Family.AGENT).name()).isEqualTo("t.agent-events");
    assertThat(t.events(Family.INTEGRATION).name()).isEqualTo("t.integration-events");
    assertThat(t.events().stream().map(Topic::name))
        .containsExactly("t.task-events", "t.agent-events", "t.integration-events");
    assertThat(t.rollups().name()).isEqualTo("t.rollups");
    assertThat(t.alerts().name()).isEqualTo("t.alerts");
    assertThat(t.deadLetters().name()).isEqualTo("t.dead-letters");
    assertThat(t.stats().name()).isEqualTo("t.stats");
    assertThat(t.schemas().name()).isEqualTo("t.schemas");
    assertThat(t.name(Topics.STATS)).isEqualTo("t.stats");
    assertThat(t.name("agent-events")).isEqualTo("t.agent-events");
  }

  @Test
  void shouldRefuseABaseNameThatIsNoTopic() {
    assertThatThrownBy(() -> topics.name("task_events"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown topic task_events (known: [task-events, agent-events, integration-events,"
                + " rollups, alerts, dead-letters, stats, schemas])");
  }

  @Test
  void shouldSayWhichTypesEachTopicCarries() {
    assertThat(topics.valueTypes("hourglass.task-events")).containsExactly(TaskEvent.class);
    assertThat(topics.valueTypes("hourglass.rollups"))
        .containsExactlyInAnyOrder(
            TaskRollup.class,
            AgentRollup.class,
            IntegrationRollup.class,
            TaskCorrection.class,
            AgentCorrection.class,
            IntegrationCorrection.class);
    assertThat(topics.valueTypes("hourglass.alerts")).containsExactly(Alert.class);
    assertThat(topics.valueTypes("hourglass.dead-letters")).containsExactly(DeadLetter.class);
    assertThat(topics.valueTypes("hourglass.stats")).isEmpty();
    assertThat(topics.valueTypes("other.task-events")).isEmpty();
  }

  @Test
  void shouldCarryEachFamilysEventsKeyedByOrganization() {
    Topic<String, SpecificRecord> tasks = topics.events(Family.TASK);
    byte[] key = tasks.keys().serializer().serialize(tasks.name(), Samples.ORG);
    byte[] value = tasks.values().serializer().serialize(tasks.name(), Samples.task());

    assertThat(new String(key, StandardCharsets.UTF_8)).isEqualTo(Samples.ORG);
    assertThat(tasks.values().deserializer().deserialize(tasks.name(), value))
        .isEqualTo(Samples.task());
  }

  @Test
  void shouldRefuseAnotherFamilysEventOnAnEventTopic() {
    Topic<String, SpecificRecord> tasks = topics.events(Family.TASK);
    Topic<String, SpecificRecord> agents = topics.events(Family.AGENT);
    byte[] agent = agents.values().serializer().serialize(agents.name(), Samples.agent());

    assertThatThrownBy(() -> tasks.values().serializer().serialize(tasks.name(), Samples.agent()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.events.AgentEvent does not belong on topic hourglass.task-events"
                + " (it carries TaskEvent)");
    assertThatThrownBy(() -> tasks.values().deserializer().deserialize(tasks.name(), agent))
        .isInstanceOf(BadRecordException.class)
        .hasMessage(
            "WRONG_TYPE on topic hourglass.task-events: expected TaskEvent,"
                + " got dev.hourglass.events.AgentEvent");
  }

  @Test
  void shouldCarryRollupsAndCorrectionsOfEveryFamilyOnTheRollupsTopic() {
    Topic<String, SpecificRecord> rollups = topics.rollups();
    for (SpecificRecord r :
        new SpecificRecord[] {Samples.taskRollup(), Samples.agentCorrection()}) {
      byte[] bytes = rollups.values().serializer().serialize(rollups.name(), r);
      assertThat(rollups.values().deserializer().deserialize(rollups.name(), bytes)).isEqualTo(r);
    }
    assertThatThrownBy(
            () -> rollups.values().serializer().serialize(rollups.name(), Samples.task()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a dev.hourglass.events.TaskEvent does not belong on topic hourglass.rollups"
                + " (it carries TaskRollup, TaskCorrection, AgentRollup, AgentCorrection,"
                + " IntegrationRollup, IntegrationCorrection)");
  }

  @Test
  void shouldWriteAlertsInTheFormatTheTopicsWereBuiltWith() {
    Alert alert = Samples.alert();
    Topic<String, Alert> avro = topics.alerts();
    Topic<String, Alert> json = Topics.withPrefix("hourglass.", AlertsFormat.JSON).alerts();

    byte[] avroBytes = avro.values().serializer().serialize(avro.name(), alert);
    byte[] jsonBytes = json.values().serializer().serialize(json.name(), alert);

    assertThat(AlertsFormat.of(avroBytes)).isEqualTo(AlertsFormat.AVRO);
    assertThat(AlertsFormat.of(jsonBytes)).isEqualTo(AlertsFormat.JSON);
    assertThat(avro.values().deserializer().deserialize(avro.name(), jsonBytes)).isEqualTo(alert);
    assertThat(json.values().deserializer().deserialize(json.name(), avroBytes)).isEqualTo(alert);
  }
}
