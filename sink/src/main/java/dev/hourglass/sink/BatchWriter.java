package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Executes one {@link Batch} plan, top to bottom: creates the month partitions it needs, then in
 * one transaction runs its statements (the rows of every table, the dead letters), moves every
 * partition's stored offset by compare-and-set, and commits. A data error (a row that violates a
 * constraint or cannot be represented) rolls back and the batch's records are written again with
 * the offending ones isolated by bisection under savepoints: they are dead-lettered with the
 * server's reason and everything else is committed with the same offset moves.
 */
final class BatchWriter {
  /**
   * The batch's offsets had moved under it: another instance owns (or owned) its partitions, or
   * PostgreSQL lost this instance's last commits ({@link #behind()} not empty).
   */
  static final class StaleOffsetsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Never serialised: the loop reads it where it catches the exception. */
    private final transient Map<TopicPartition, OffsetStore.Behind> behind;

    StaleOffsetsException(String message) {
      this(message, Map.of());
    }

    private StaleOffsetsException(String message, Map<TopicPartition, OffsetStore.Behind> behind) {
      super(message);
      this.behind = Map.copyOf(behind);
    }

    static StaleOffsetsException lost(Map<TopicPartition, OffsetStore.Behind> behind) {
      return new StaleOffsetsException(
          "stored offset behind the batch's expected offset for "
              + behind
              + ": commits this instance made were lost by PostgreSQL (asynchronous commits lost"
              + " in a crash, or a backup restored); rolled back, re-reading from the store and"
              + " replaying from Kafka",
          behind);
    }

    /** The partitions whose stored offset went back under this instance's epoch; else empty. */
    Map<TopicPartition, OffsetStore.Behind> behind() {
      return behind;
    }
  }

  /** The {@code synchronous_commit} a batch transaction commits with. */
  enum Commit {
    /** Whatever the server, database or role sets (on unless an administrator changed it). */
    SERVER_SETTING,
    /** Off: the commit returns before its WAL is on disk; a crash may lose it. */
    OFF,
    /** On: the commit, and every commit before it in the WAL, is on disk when it returns. */
    ON
  }

  /**
   * How a batch commits.
   *
   * @param commit its {@code synchronous_commit}
   * @param unconfirmed partitions the batch does not move whose last commits by this instance may
   *     still be lost (asynchronous, and not followed by a synchronous commit of its own yet), each
   *     with the offset and epoch it must still hold; checked in the batch's transaction before it
   *     writes, so that a commit lost in a crash is found by the next batch, whatever partitions
   *     that batch reads
   * @param confirm the batch writes nothing and moves nothing: it checks {@code unconfirmed} and
   *     rewrites their rows unchanged ({@link OffsetStore#touch}), committed synchronously so that
   *     they are on disk when it returns
   */
  record Durability(
      Commit commit, Map<TopicPartition, OffsetStore.Claim> unconfirmed, boolean confirm) {
    static final Durability SERVER = new Durability(Commit.SERVER_SETTING, Map.of(), false);

    Durability {
      unconfirmed = Map.copyOf(unconfirmed);
    }
  }

  /**
   * What a committed batch did.
   *
   * @param rowsWritten rows inserted or updated, by table (a row kept because it held a newer
   *     revision, or a replayed event already there, is not counted)
   */
  record Result(int records, int deadLettered, Map<String, Long> rowsWritten) {
    Result {
      rowsWritten = Map.copyOf(rowsWritten);
    }
  }

  private final DataSource dataSource;
  private final OffsetStore offsets;
  private final Partitions partitions;
  private final FaultHook hook;

  BatchWriter(DataSource dataSource, OffsetStore offsets, Partitions partitions, FaultHook hook) {
    this.dataSource = dataSource;
    this.offsets = offsets;
    this.partitions = partitions;
    this.hook = hook;
  }

  Result commit(Batch batch) throws SQLException, StaleOffsetsException {
    return commit(batch, Durability.SERVER);
  }

  Result commit(Batch batch, Durability how) throws SQLException, StaleOffsetsException {
    hook.beforeWrite(batch);
    partitions.ensure(dataSource, batch.months());
    int refused;
    Map<String, Long> written = new TreeMap<>();
    Map<TopicPartition, OffsetStore.Claim> expected = new HashMap<>(how.unconfirmed());
    batch
        .advances()
        .forEach((tp, a) -> expected.put(tp, new OffsetStore.Claim(a.expected(), a.epoch())));
    try (Connection c = dataSource.getConnection()) {
      try {
        if (!how.unconfirmed().isEmpty()) {
          // Before writing: nothing is written on top of commits PostgreSQL has lost.
          Map<TopicPartition, OffsetStore.Behind> behind = offsets.behind(c, expected);
          if (!behind.isEmpty()) {
            throw StaleOffsetsException.lost(behind);
          }
        }
        refused = write(c, batch, written);
        if (how.confirm()) {
          offsets.touch(c, how.unconfirmed());
        } else if (!offsets.advance(c, batch.advances())) {
          Map<TopicPartition, OffsetStore.Behind> behind = offsets.behind(c, expected);
          if (!behind.isEmpty()) {
            throw StaleOffsetsException.lost(behind);
          }
          throw new StaleOffsetsException(
              "stored offsets are not where this instance left them for "
                  + batch.advances().keySet()
                  + ": another instance committed or claimed them since (or the database was"
                  + " restored from a backup); rolled back, re-reading from the store");
        }
        synchronousCommit(c, how.commit());
        hook.beforeCommit(batch);
        c.commit();
      } catch (SQLException | StaleOffsetsException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
    hook.afterCommit(batch);
    return new Result(batch.records().size(), refused + batch.rejected(), written);
  }

  /**
   * Runs the batch's statements. On a data error, rolls back and writes its records again leaving
   * out (and dead-lettering) those the database refuses; returns how many it refused.
   */
  private static int write(Connection c, Batch batch, Map<String, Long> written)
      throws SQLException {
    try {
      Sql.execute(c, batch.statements(), written);
      return 0;
    } catch (SQLException e) {
      if (SqlErrors.classify(e) != SqlErrors.Kind.DATA) {
        throw e;
      }
      c.rollback();
      written.clear();
      return isolate(c, batch.records(), written).size();
    }
  }

  /** Every record's rows, table by table in foreign-key order, in {@code c}'s transaction. */
  static void apply(Connection c, List<SinkRecord> records) throws SQLException {
    apply(c, records, new TreeMap<>());
  }

  /** As {@link #apply(Connection, List)}, adding the rows written to {@code written}. */
  static void apply(Connection c, List<SinkRecord> records, Map<String, Long> written)
      throws SQLException {
    Sql.execute(c, Batch.plan(records).statements(), written);
  }

  /**
   * Applies {@code records} in order, leaving out those that cannot be written, and dead-letters
   * them; returns them. Costs about 2·log2(n) extra statements per bad record.
   */
  private static List<SinkRecord> isolate(
      Connection c, List<SinkRecord> records, Map<String, Long> written) throws SQLException {
    List<SinkRecord> bad = new ArrayList<>();
    if (records.size() == 1) {
      bisect(c, records, bad, written);
    } else {
      // The whole batch is known to fail: start with its halves.
      bisect(c, records.subList(0, records.size() / 2), bad, written);
      bisect(c, records.subList(records.size() / 2, records.size()), bad, written);
    }
    if (!bad.isEmpty()) {
      try {
        apply(c, bad, written);
      } catch (SQLException e) {
        if (SqlErrors.classify(e) == SqlErrors.Kind.DATA) {
          throw new IllegalStateException(
              "cannot write even the dead letters of records refused by the database", e);
        }
        throw e;
      }
    }
    return bad;
  }

  private static void bisect(
      Connection c, List<SinkRecord> records, List<SinkRecord> bad, Map<String, Long> written)
      throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    Savepoint savepoint = c.setSavepoint();
    try {
      // Counted only once the savepoint holds: rows of a rolled-back attempt were never written.
      Map<String, Long> attempt = new TreeMap<>();
      apply(c, records, attempt);
      c.releaseSavepoint(savepoint);
      attempt.forEach((table, n) -> written.merge(table, n, Long::sum));
    } catch (SQLException e) {
      if (SqlErrors.classify(e) != SqlErrors.Kind.DATA) {
        throw e;
      }
      c.rollback(savepoint);
      if (records.size() == 1) {
        SinkRecord r = records.get(0);
        bad.add(
            r.rejected(
                new SinkRecord.Rejected(
                    SqlErrors.reasonCode(e),
                    SqlErrors.describe(e),
                    field(r.payload(), "organization_id"),
                    field(r.payload(), "event_id"))));
        return;
      }
      int mid = records.size() / 2;
      bisect(c, records.subList(0, mid), bad, written);
      bisect(c, records.subList(mid, records.size()), bad, written);
    }
  }

  private static String field(Object payload, String name) {
    if (payload instanceof SpecificRecord r && r.getSchema().getField(name) != null) {
      Object v = r.get(r.getSchema().getField(name).pos());
      return v == null ? null : v.toString();
    }
    return null;
  }

  /**
   * Sets the transaction's {@code synchronous_commit} (read at commit time, so set last: a data
   * error's rollback inside {@link #write} would have undone it).
   */
  static void synchronousCommit(Connection c, Commit commit) throws SQLException {
    if (commit == Commit.SERVER_SETTING) {
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL synchronous_commit = " + (commit == Commit.OFF ? "off" : "on"));
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
