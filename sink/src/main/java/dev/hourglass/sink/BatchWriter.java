package dev.hourglass.sink;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes one {@link Batch} in one transaction: the rows of every table (one set-based statement per
 * table), the dead letters, and the compare-and-set of every partition's stored offset; then
 * commits. A data error (a row that violates a constraint or cannot be represented) rolls back and
 * the batch is written again with the offending records isolated by bisection under savepoints:
 * they are dead-lettered with the server's reason and everything else is committed.
 */
final class BatchWriter {
  /** The batch's offsets had moved under it: another instance owns (or owned) its partitions. */
  static final class StaleOffsetsException extends Exception {
    private static final long serialVersionUID = 1L;

    StaleOffsetsException(String message) {
      super(message);
    }
  }

  /** What a committed batch did. */
  record Result(int records, int deadLettered) {}

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
    partitions.ensure(dataSource, months(batch.records()));
    int deadLettered;
    try (Connection c = dataSource.getConnection()) {
      try {
        List<SinkRecord> isolated = List.of();
        try {
          Sql.execute(c, batch.statements());
        } catch (SQLException e) {
          if (SqlErrors.classify(e) != SqlErrors.Kind.DATA) {
            throw e;
          }
          c.rollback();
          isolated = isolate(c, batch.records());
        }
        deadLettered = isolated.size() + rejected(batch.records());
        if (!offsets.advance(c, batch.advances())) {
          c.rollback();
          throw new StaleOffsetsException(
              "stored offsets are not where this instance left them for "
                  + batch.advances().keySet()
                  + ": another instance committed them; rolled back, re-reading from the store");
        }
        hook.beforeCommit(batch);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
    hook.afterCommit(batch);
    return new Result(batch.records().size(), deadLettered);
  }

  /** Every record's rows, table by table in foreign-key order. */
  static void apply(Connection c, List<SinkRecord> records) throws SQLException {
    Sql.execute(c, prepare(records));
  }

  /**
   * The statements that write {@code records}: pure computation, no connection, so that the loop's
   * thread prepares a batch while the writer thread writes the previous one.
   */
  static List<Sql.Statement> prepare(List<SinkRecord> records) {
    EventWrites events = new EventWrites();
    RollupWrites rollups = new RollupWrites();
    AlertWrites alerts = new AlertWrites();
    DeadLetterWrites deadLetters = new DeadLetterWrites();
    for (SinkRecord r : records) {
      Object p = r.payload();
      if (p instanceof SinkRecord.Rejected why) {
        deadLetters.add(r, why);
      } else if (p instanceof TaskEvent e) {
        events.add(e);
      } else if (p instanceof AgentEvent e) {
        events.add(e);
      } else if (p instanceof IntegrationEvent e) {
        events.add(e);
      } else if (p instanceof SpecificRecord s && RollupWrites.Table.of(s.getClass()) != null) {
        rollups.add(RollupWrites.Table.of(s.getClass()), s);
      } else if (p instanceof Alert a) {
        alerts.add(a);
      } else if (p instanceof DeadLetter d) {
        deadLetters.add(d);
      } else {
        throw new IllegalStateException("no writer for " + p);
      }
    }
    List<Sql.Statement> out = new ArrayList<>(events.statements());
    out.addAll(rollups.statements());
    out.add(alerts.statement());
    out.add(deadLetters.statement());
    return List.copyOf(out);
  }

  /**
   * Applies {@code records} in order, leaving out those that cannot be written, and dead-letters
   * them; returns them. Costs about 2·log2(n) extra statements per bad record.
   */
  private static List<SinkRecord> isolate(Connection c, List<SinkRecord> records)
      throws SQLException {
    List<SinkRecord> bad = new ArrayList<>();
    if (records.size() == 1) {
      bisect(c, records, bad);
    } else {
      // The whole batch is known to fail: start with its halves.
      bisect(c, records.subList(0, records.size() / 2), bad);
      bisect(c, records.subList(records.size() / 2, records.size()), bad);
    }
    if (!bad.isEmpty()) {
      try {
        apply(c, bad);
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

  private static void bisect(Connection c, List<SinkRecord> records, List<SinkRecord> bad)
      throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    Savepoint savepoint = c.setSavepoint();
    try {
      apply(c, records);
      c.releaseSavepoint(savepoint);
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
      bisect(c, records.subList(0, mid), bad);
      bisect(c, records.subList(mid, records.size()), bad);
    }
  }

  private static String field(Object payload, String name) {
    if (payload instanceof SpecificRecord r && r.getSchema().getField(name) != null) {
      Object v = r.get(r.getSchema().getField(name).pos());
      return v == null ? null : v.toString();
    }
    return null;
  }

  private static int rejected(List<SinkRecord> records) {
    int n = 0;
    for (SinkRecord r : records) {
      if (r.payload() instanceof SinkRecord.Rejected) {
        n++;
      }
    }
    return n;
  }

  /** The month partitions each partitioned table needs for these records. */
  static Map<String, Set<LocalDate>> months(List<SinkRecord> records) {
    Map<String, Set<LocalDate>> out = new HashMap<>();
    for (SinkRecord r : records) {
      Object p = r.payload();
      if (p instanceof SpecificRecord s && RollupWrites.Table.of(s.getClass()) != null) {
        add(out, RollupWrites.Table.of(s.getClass()).name, RollupWrites.windowStart(s));
      } else if (p instanceof IntegrationEvent e) {
        add(out, "integration_events", e.getOccurredAt());
      }
    }
    return out;
  }

  private static void add(Map<String, Set<LocalDate>> out, String table, Instant at) {
    LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate();
    out.computeIfAbsent(table, t -> new TreeSet<>()).add(day.withDayOfMonth(1));
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
