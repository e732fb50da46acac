package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AlertState;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** The sink as production runs it: a login that is only a member of hourglass_writer. */
@HourglassIT
class SinkWriterRoleIT {

  @Test
  void shouldWriteEverythingAsAMemberOfTheWriterRoleOnly(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    String login = "sink_" + db.name();
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      // Identifier from the test's own database name (letters, digits, underscores).
      s.execute(
          "CREATE ROLE " + login + " LOGIN PASSWORD 'writer-secret' IN ROLE hourglass_writer");
    }
    Fixtures.createTopics(kafka, 2);
    Topics topics = Fixtures.topics(kafka);
    RollupData data = RollupData.generate(23, 3, 2);
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka)) {
      data.publish(p, topics.rollups().name());
      String org = SinkEventsIT.ORG;
      Fixtures.send(
          p,
          topics.events(Family.TASK).name(),
          org,
          SinkEventsIT.task(SinkEventsIT.TASK1, TaskEventKind.STARTED, 0, SinkEventsIT.EXEC, "t"));
      Fixtures.send(
          p,
          topics.events(Family.AGENT).name(),
          org,
          SinkEventsIT.agent(AgentEventKind.COMPLETED, 0, 10, 20, 0.5, 30L));
      Fixtures.send(
          p,
          topics.events(Family.INTEGRATION).name(),
          org,
          SinkEventsIT.integration(0, IntegrationStatus.SUCCESS, null));
      Fixtures.send(
          p, topics.alerts().name(), "k", SinkEventsIT.alert("cost_spike", AlertState.FIRING));
      Fixtures.send(
          p,
          topics.deadLetters().name(),
          org,
          SinkEventsIT.deadLetter(
              topics.events(Family.TASK).name(), 1, 12_345, "PROCESSING_ERROR", org));
      Fixtures.sendRaw(
          p, topics.alerts().name(), "k", "{not json".getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> settings = Fixtures.settings(kafka, db);
    settings.put("jdbc.user", login);
    settings.put("jdbc.password", "writer-secret");

    try (SinkApp sink = new SinkApp(SinkConfig.from(settings))) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
    }

    assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
    assertThat(
            Fixtures.rows(
                db,
                "SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM task_executions),"
                    + " (SELECT count(*) FROM agent_tasks), (SELECT count(*) FROM codegen_agents),"
                    + " (SELECT count(*) FROM integration_events), (SELECT count(*) FROM alerts),"
                    + " (SELECT count(*) FROM dead_letters)"))
        .containsExactly("1|1|1|1|1|1|2");
  }
}
