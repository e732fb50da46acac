package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;

/**
 * Executes one {@link Batch} plan, top to bottom: creates the month partitions it needs, then in
 * one transaction runs its statements (the rows of every table, the dead letters), moves every
 * partition's stored offset by compare-and-set, and commits. A data error (a row that violates a
 * constraint or cannot be represented) rolls back and the batch's records are written again with
 * the offending ones isolated by bisection under savepoints: they are dead-lettered with the
 * server's reason and everything else is committed with the same offset moves.
 */
final class BatchWriter {
  /** The batch's offsets had moved under it: another instance owns (or owned) its partitions. */
  static final class StaleOffsetsException extends Exception {
    private static final long serialVersionUID = 1L;

    StaleOffsetsException(String message) {
      super(message);
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
    hook.beforeWrite(batch);
    partitions.ensure(dataSource, batch.months());
    int refused;
    Map<String, Long> written = new TreeMap<>();
    try (Connection c = dataSource.getConnection()) {
      try {
        refused = write(c, batch, written);
        if (!offsets.advance(c, batch.advances())) {
          throw new StaleOffsetsException(
              "stored offsets are not where this instance left them for "
                  + batch.advances().keySet()
                  + ": another instance committed or claimed them since (or the database was"
                  + " restored from a backup); rolled back, re-reading from the store");
        }
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

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
