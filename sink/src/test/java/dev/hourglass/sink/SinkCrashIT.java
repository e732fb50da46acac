package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sink stopped abruptly in the middle of its work (an Error from the fault hook: nothing is
 * closed, the open transaction dies with its connection) and started again: I1 to I4 hold.
 */
@HourglassIT
class SinkCrashIT {

  @Test
  void shouldLoseNothingAndDuplicateNothingWhenKilledBeforeCommit(TestKafka kafka, TestDatabase db)
      throws Exception {
    crashAndRestart(kafka, db, true);
  }

  @Test
  void shouldLoseNothingAndDuplicateNothingWhenKilledAfterCommit(TestKafka kafka, TestDatabase db)
      throws Exception {
    crashAndRestart(kafka, db, false);
  }

  /**
   * The rollups' path killed before a commit while the raw events' path (sink.reads=events) stays
   * in the same group: the restarted path writes every rollup once.
   */
  @Test
  void shouldLoseNothingAndDuplicateNothingWhenOnePathIsKilledBesideTheOther(
      TestKafka kafka, TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 3);
    Map<String, String> settings = Fixtures.settings(kafka, db);
    settings.put(SinkConfig.READS, "events");
    try (SinkApp events = new SinkApp(SinkConfig.from(settings))) {
      events.start();
      settings.put(SinkConfig.READS, "derived");
      crashAndRestart(kafka, db, true, SinkConfig.from(settings));
      assertThat(events.failure()).isEmpty();
      assertThat(events.stats().recordsCommitted()).isZero();
    }
  }

  private static void crashAndRestart(TestKafka kafka, TestDatabase db, boolean beforeCommit)
      throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 3);
    crashAndRestart(kafka, db, beforeCommit, Fixtures.config(kafka, db));
  }

  private static void crashAndRestart(
      TestKafka kafka, TestDatabase db, boolean beforeCommit, SinkConfig config) throws Exception {
    RollupData data = RollupData.generate(11, 6, 4);
    data.publish(kafka);
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger crashedBatch = new AtomicInteger();
    FaultHook crashOnThirdBatch =
        new FaultHook() {
          @Override
          public void beforeCommit(Batch batch) {
            if (beforeCommit && !batch.records().isEmpty() && batches.incrementAndGet() == 3) {
              crashedBatch.set(batch.records().size());
              throw new SimulatedCrash("before the commit of a batch of " + batch.records().size());
            }
          }

          @Override
          public void afterCommit(Batch batch) {
            if (!beforeCommit && !batch.records().isEmpty() && batches.incrementAndGet() == 3) {
              crashedBatch.set(batch.records().size());
              throw new SimulatedCrash("after the commit of a batch of " + batch.records().size());
            }
          }
        };
    SinkApp crashed = new SinkApp(config, crashOnThirdBatch);
    try {
      crashed.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> !crashed.isRunning());
      assertThat(crashed.failure()).isEmpty();
      // The crashed batch is not counted either way; after the commit its rows are in PostgreSQL.
      assertThat(crashed.stats().batchesCommitted()).isEqualTo(2);
      assertThat(crashed.lag()).isPositive();

      try (SinkApp restarted = new SinkApp(config)) {
        restarted.start();
        Fixtures.awaitCaughtUp(restarted, Duration.ofSeconds(60));

        assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
        // Committed once: the restarted instance reads from the stored offsets, so a batch
        // committed just before the crash is not read again.
        assertThat(crashed.stats().recordsCommitted() + restarted.stats().recordsCommitted())
            .isEqualTo(data.records.size() - (beforeCommit ? 0 : crashedBatch.get()));
        assertThat(Fixtures.count(db, "SELECT count(*) FROM dead_letters")).isZero();
      }
    } finally {
      crashed.close();
    }
  }
}
