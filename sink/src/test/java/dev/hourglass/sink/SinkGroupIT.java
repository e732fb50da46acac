package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** Two sink instances in one group: rebalances, and a stale instance that wakes up too late. */
@HourglassIT
class SinkGroupIT {

  @Test
  void shouldWriteExactRowsWhenTwoInstancesShareTheTopicsThroughRebalances(
      TestKafka kafka, TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 4);
    RollupData data = RollupData.generate(13, 8, 4);
    int half = data.records.size() / 2;
    SinkConfig config = Fixtures.config(kafka, db);
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(kafka);
        SinkApp first = new SinkApp(config)) {
      first.start();
      publish(producer, kafka, data.records.subList(0, half));
      try (SinkApp second = new SinkApp(config)) {
        second.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> first.stats().partitionsRevoked() > 0);
        publish(producer, kafka, data.records.subList(half, data.records.size()));
        Fixtures.awaitCaughtUp(second, Duration.ofSeconds(60));
        assertThat(second.stats().recordsCommitted()).isPositive();
        assertThat(second.stats().commitsRejected()).isZero();
      }
      // The second instance left: the first takes everything back and stays caught up.
      Fixtures.awaitCaughtUp(first, Duration.ofSeconds(30));
      assertThat(first.stats().recordsCommitted()).isPositive();
      // A batch in flight at a rebalance is committed before its partitions are given up, so the
      // next owner starts from its offsets and never has a commit rejected.
      assertThat(first.stats().commitsRejected()).isZero();
    }
    assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
  }

  @Test
  void shouldRejectTheCommitOfAStaleInstanceAndApplyNothingTwice(TestKafka kafka, TestDatabase db)
      throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 1);
    // Few records, so that the stale instance's one batch holds corrections: applied twice they
    // would show in the sums.
    RollupData data = RollupData.generate(17, 2, 1);
    assertThat(data.correctionCount).isPositive();
    data.publish(kafka);
    SinkConfig config = Fixtures.config(kafka, db);
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch wake = new CountDownLatch(1);
    FaultHook pauseFirstBatch =
        new FaultHook() {
          @Override
          public void beforeWrite(Batch batch) {
            if (!batch.records().isEmpty() && paused.getCount() == 1) {
              paused.countDown();
              try {
                // Long past max.poll.interval.ms: the group moves the partitions to the other.
                wake.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    try (SinkApp stale = new SinkApp(config, pauseFirstBatch)) {
      stale.start();
      assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
      try (SinkApp owner = new SinkApp(config)) {
        owner.start();
        Fixtures.awaitCaughtUp(owner, Duration.ofSeconds(60));
        assertThat(owner.stats().recordsCommitted()).isEqualTo(data.records.size());

        wake.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> stale.stats().commitsRejected() == 1);
        assertThat(stale.stats().recordsCommitted()).isZero();
        assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
        Fixtures.awaitCaughtUp(owner, Duration.ofSeconds(30));
      }
    }
    assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
  }

  @Test
  void shouldLetTheSuccessorOfAnInstanceFrozenInsideItsTransactionTakeOverAndNeverCommitIt(
      TestKafka kafka, TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 1);
    RollupData data = RollupData.generate(19, 2, 1);
    data.publish(kafka);
    Map<String, String> settings = Fixtures.settings(kafka, db);
    // Short bounds, so that the test takes seconds; the defaults keep the same order (below the
    // consumer's session timeout).
    settings.put(SinkConfig.IDLE_IN_TRANSACTION_TIMEOUT_MS, "2000");
    settings.put(SinkConfig.LOCK_TIMEOUT_MS, "500");
    SinkConfig config = SinkConfig.from(settings);
    CountDownLatch frozen = new CountDownLatch(1);
    CountDownLatch wake = new CountDownLatch(1);
    FaultHook freezeInsideFirstBatch =
        new FaultHook() {
          @Override
          public void beforeCommit(Batch batch) {
            if (!batch.records().isEmpty() && frozen.getCount() == 1) {
              // Rows and offsets written, their row locks held, the commit not sent: a SIGSTOP.
              frozen.countDown();
              try {
                wake.await(90, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    try (SinkApp stale = new SinkApp(config, freezeInsideFirstBatch)) {
      stale.start();
      assertThat(frozen.await(30, TimeUnit.SECONDS)).isTrue();
      try (SinkApp owner = new SinkApp(config)) {
        owner.start();
        // The server ends the frozen transaction and its locks go: the successor is not blocked.
        Fixtures.awaitCaughtUp(owner, Duration.ofSeconds(60));
        assertThat(owner.stats().recordsCommitted()).isEqualTo(data.records.size());

        wake.countDown();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> stale.stats().transientFailures() + stale.stats().commitsRejected() > 0);
        assertThat(stale.stats().recordsCommitted()).isZero();
        Fixtures.awaitCaughtUp(owner, Duration.ofSeconds(30));
      }
    }
    assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
  }

  private static void publish(
      KafkaProducer<byte[], byte[]> producer, TestKafka kafka, List<RollupData.Out> records) {
    for (RollupData.Out o : records) {
      Fixtures.send(producer, Fixtures.topics(kafka).rollups().name(), o.key(), o.value());
    }
  }
}
