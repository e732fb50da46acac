package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Commits PostgreSQL acknowledged and then lost, as a crash loses asynchronous commits ({@code
 * sink.synchronous.commit=off}): the database is set back to its state before the sink's last
 * commits (their rows deleted, their offsets moved back, the owner epoch unchanged) while the sink
 * goes on from its positions beyond them. The sink must find it and replay exactly the lost records
 * from Kafka: every row once, the stored offsets at the topics' ends.
 */
@HourglassIT
class SinkAsynchronousCommitIT {
  private static final int ROWS = 400;

  @Test
  void shouldReplayTheCommitsPostgresLostWhenTheNextBatchFindsItsOffsetsBehind(
      TestKafka kafka, TestDatabase db) throws Exception {
    Map<String, String> settings = prepare(kafka, db);
    settings.put(SinkConfig.SYNCHRONOUS_COMMIT, "off");
    // Two commits in the middle of the stream: later batches follow them.
    LoseCommits hook = new LoseCommits(db, settings.get(SinkConfig.GROUP_ID), n -> n >= 3, 2);
    runAndCheck(settings, hook, db);
    assertThat(hook.lostCommits).isEqualTo(2);
  }

  /**
   * The last commits lost with nothing more to read: only the check the sink commits synchronously
   * when it goes idle can find them. With the database's own {@code synchronous_commit} off (set
   * here; the embedded servers run so), the sink checks its commits even with {@code
   * sink.synchronous.commit=on}.
   */
  @Test
  void shouldReplayTheLastCommitsPostgresLostWhenNothingMoreArrives(
      TestKafka kafka, TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE \"" + db.name() + "\" SET synchronous_commit = off");
    }
    assertThat(Fixtures.rows(db, "SHOW synchronous_commit")).containsExactly("off");
    Map<String, String> settings = prepare(kafka, db);
    settings.put(SinkConfig.SYNCHRONOUS_COMMIT, "on");
    // The last batch and the one before it, unless the sink's idle check came between them.
    LoseCommits hook = new LoseCommits(db, settings.get(SinkConfig.GROUP_ID), n -> false, 1);
    hook.loseAtRecords = ROWS;
    runAndCheck(settings, hook, db);
    assertThat(hook.lostCommits).isBetween(1, 2);
  }

  private static Map<String, String> prepare(TestKafka kafka, TestDatabase db) {
    Fixtures.migrate(db);
    Fixtures.createTopics(kafka, 3);
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(kafka)) {
      for (TaskRollup r : rollups()) {
        Fixtures.send(producer, Fixtures.topics(kafka).rollups().name(), r.getOrganizationId(), r);
      }
    }
    return Fixtures.settings(kafka, db);
  }

  private static void runAndCheck(Map<String, String> settings, LoseCommits hook, TestDatabase db)
      throws Exception {
    try (SinkApp sink = new SinkApp(SinkConfig.from(settings), hook)) {
      sink.start();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> hook.lostCommits > 0 && sink.stats().commitsLost() > 0);
      Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));

      assertThat(sink.stats().commitsLost()).isEqualTo(hook.lostCommits);
      assertThat(sink.stats().offsetsReplayed()).isEqualTo(hook.lostRecords);
      assertThat(sink.stats().commitsRejected()).isZero();
      // The lost records were committed twice: once lost, once replayed.
      assertThat(sink.stats().recordsCommitted()).isEqualTo(ROWS + hook.lostRecords);
      assertThat(Fixtures.rows(db, "SELECT count(*), sum(event_count) FROM task_rollups_hourly"))
          .containsExactly(ROWS + "|" + expectedEventSum());
      assertThat(
              Fixtures.count(
                  db,
                  "SELECT count(DISTINCT (organization_id, project_id, window_start))"
                      + " FROM task_rollups_hourly"))
          .isEqualTo(ROWS);
    }
  }

  /** Distinct rows (organization, project, hour), one revision each: a commit only inserts. */
  private static List<TaskRollup> rollups() {
    List<TaskRollup> out = new ArrayList<>();
    Instant base = RollupData.RECENT;
    for (int i = 0; i < ROWS; i++) {
      Instant start = base.plus(Duration.ofHours(i % 10));
      long events = 1 + i % 7;
      out.add(
          TaskRollup.newBuilder()
              .setOrganizationId(new UUID(7, i % 5).toString())
              .setProjectId(new UUID(8, i).toString())
              .setWindowStart(start)
              .setWindowEnd(start.plus(Duration.ofHours(1)))
              .setMeasures(
                  TaskMeasures.newBuilder()
                      .setEventCount(events)
                      .setCreatedCount(events)
                      .setAssignedCount(0)
                      .setStartedCount(0)
                      .setCompletedCount(0)
                      .setFailedCount(0)
                      .setCancelledCount(0)
                      .setEstimatedHoursSum(0)
                      .setActualHoursSum(0)
                      .setActualHoursCount(0)
                      .setDurationHistogram(Collections.nCopies(128, 0L))
                      .build())
              .setRevision(1)
              .setIsFinal(true)
              .setEmittedAt(start.plus(Duration.ofHours(1)))
              .build());
    }
    return out;
  }

  private static long expectedEventSum() {
    return rollups().stream().mapToLong(r -> r.getMeasures().getEventCount()).sum();
  }

  /**
   * After the commit of a batch with records, once {@code when} holds for the count of such batches
   * (or the records committed reach {@code loseAtRecords}), deletes the rows of that batch and of
   * the one before it and moves their partitions' offsets back to where the first of them started:
   * what a crash leaves of two asynchronous commits it lost. Only consecutive commits are lost
   * together, since a synchronous commit between them (the sink's idle check) would have put the
   * first on disk: at least {@code atLeast} of them. Once.
   */
  private static final class LoseCommits implements FaultHook {
    private final TestDatabase db;
    private final String group;
    private final IntPredicate when;
    private final int atLeast;
    private final List<Batch> chain = new ArrayList<>();
    private int batches;
    private long committedRecords;
    int loseAtRecords = -1;
    volatile int lostCommits;
    volatile long lostRecords;

    LoseCommits(TestDatabase db, String group, IntPredicate when, int atLeast) {
      this.db = db;
      this.group = group;
      this.when = when;
      this.atLeast = atLeast;
    }

    @Override
    public void beforeWrite(Batch batch) {
      if (batch.records().isEmpty() && batch.advances().isEmpty()) {
        // The sink's synchronous check: the commits before it are on disk, never lost.
        chain.clear();
      }
    }

    @Override
    public void afterCommit(Batch batch) {
      if (batch.records().isEmpty() || lostCommits > 0) {
        return;
      }
      batches++;
      committedRecords += batch.records().size();
      chain.add(batch);
      if (chain.size() > 2) {
        chain.remove(0);
      }
      boolean due = when.test(batches) || committedRecords == loseAtRecords;
      if (due && chain.size() >= atLeast) {
        try {
          undo(chain);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        lostRecords = chain.stream().mapToLong(b -> b.records().size()).sum();
        lostCommits = chain.size();
      }
    }

    private void undo(List<Batch> lost) throws SQLException {
      Map<TopicPartition, Long> back = new HashMap<>();
      for (Batch b : lost) {
        b.advances().forEach((tp, a) -> back.merge(tp, a.expected(), Math::min));
      }
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        try (PreparedStatement delete =
            c.prepareStatement(
                "DELETE FROM task_rollups_hourly"
                    + " WHERE organization_id = ?::uuid AND project_id = ?::uuid"
                    + " AND window_start = ?")) {
          for (Batch b : lost) {
            for (SinkRecord r : b.records()) {
              TaskRollup t = (TaskRollup) r.payload();
              delete.setString(1, t.getOrganizationId());
              delete.setString(2, t.getProjectId());
              delete.setObject(3, OffsetDateTime.ofInstant(t.getWindowStart(), ZoneOffset.UTC));
              assertThat(delete.executeUpdate()).isEqualTo(1);
            }
          }
        }
        try (PreparedStatement offsets =
            c.prepareStatement(
                "UPDATE sink_offsets SET next_offset = ?"
                    + " WHERE consumer_group = ? AND topic = ? AND partition = ?")) {
          for (Map.Entry<TopicPartition, Long> e : back.entrySet()) {
            offsets.setLong(1, e.getValue());
            offsets.setString(2, group);
            offsets.setString(3, e.getKey().topic());
            offsets.setInt(4, e.getKey().partition());
            assertThat(offsets.executeUpdate()).isEqualTo(1);
          }
        }
        c.commit();
      }
    }
  }
}
