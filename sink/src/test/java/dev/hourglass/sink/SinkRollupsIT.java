package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@HourglassIT
class SinkRollupsIT {

  @Test
  void shouldWriteExactRollupRowsAndCreateMissingMonthPartitions(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 3);
    RollupData data = RollupData.generate(7, 4, 3);
    data.publish(kafka);

    try (SinkApp sink = new SinkApp(Fixtures.config(kafka, db))) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));

      assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
      assertThat(sink.stats().recordsCommitted()).isEqualTo(data.records.size());
      assertThat(sink.stats().deadLettered()).isZero();
    }
    assertThat(
            Fixtures.rows(
                db,
                "SELECT count(*) FROM pg_class WHERE relname IN ('task_rollups_hourly_p202001',"
                    + " 'agent_rollups_hourly_p202001', 'integration_rollups_hourly_p202001')"))
        .containsExactly("3");
  }

  @Test
  void shouldApplyRecordsOfOneRowInPublishedOrderWithinABatch(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 2);
    RollupData data = RollupData.generate(29, 3, 2, true);
    data.publish(kafka);
    java.util.Map<String, String> settings = Fixtures.settings(kafka, db);
    settings.put("sink.batch.size", "500");
    settings.put("sink.max.poll.records", "500");
    settings.put("sink.batch.max.wait.ms", "1000");

    try (SinkApp sink = new SinkApp(SinkConfig.from(settings))) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
    }

    assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
  }
}
