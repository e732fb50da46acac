package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A sink whose stored offset is below the log start offset (the records after it deleted, here by
 * deleteRecords on the real broker, as retention does to a backup older than it) refuses to resume
 * and names the partition; with {@code sink.accept.retention.gaps=true} it resumes from the first
 * remaining record.
 */
@HourglassIT
class SinkRetentionGapIT {

  @Test
  void shouldRefuseToSkipRecordsRetentionDeletedUnlessTheGapIsAccepted(
      TestKafka kafka, TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 1);
    String rollups = Fixtures.topics(kafka).rollups().name();
    TopicPartition tp = new TopicPartition(rollups, 0);
    RollupData first = RollupData.generate(21, 3, 2);
    first.publish(kafka);
    SinkConfig config = Fixtures.config(kafka, db);
    try (SinkApp sink = new SinkApp(config)) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
    }
    long stored = first.records.size();
    assertThat(storedOffset(db, rollups)).isEqualTo(stored);

    // While no sink runs, more records arrive and the oldest of them are deleted.
    RollupData second = RollupData.generate(22, 3, 2);
    second.publish(kafka);
    try (Admin admin = kafka.admin()) {
      admin
          .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(stored + 5)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }

    try (SinkApp refusing = new SinkApp(config)) {
      refusing.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> !refusing.isRunning());
      assertThat(refusing.failure()).isPresent();
      assertThat(refusing.failure().get().getMessage())
          .contains(
              "Refusing to resume: records the sink never wrote to PostgreSQL are gone from Kafka"
                  + " (retention): "
                  + rollups
                  + "-0 needs offset "
                  + stored
                  + " but its log starts at "
                  + (stored + 5)
                  + " (5 records gone). Restore a newer backup, or set"
                  + " sink.accept.retention.gaps=true");
      assertThat(refusing.stats().recordsCommitted()).isZero();
    }
    assertThat(storedOffset(db, rollups)).isEqualTo(stored);

    Map<String, String> accepting = Fixtures.settings(kafka, db);
    accepting.put(SinkConfig.ACCEPT_RETENTION_GAPS, "true");
    try (SinkApp sink = new SinkApp(SinkConfig.from(accepting))) {
      sink.start();
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));
      assertThat(sink.stats().recordsCommitted()).isEqualTo(second.records.size() - 5);
    }
    assertThat(storedOffset(db, rollups)).isEqualTo(stored + second.records.size());
  }

  private static long storedOffset(TestDatabase db, String topic) throws Exception {
    return Fixtures.count(
        db, "SELECT next_offset FROM sink_offsets WHERE topic = '" + topic + "' AND partition = 0");
  }
}
