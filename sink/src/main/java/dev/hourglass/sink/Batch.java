package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The plan of one database transaction, pure data: the records in the order they were consumed, the
 * statements that write them (one per table and kind, in foreign-key order, their parameters
 * computed), the month partitions they need, how many of them are dead letters of the sink's own
 * (records it could not decode), and the offset moves committed with them. {@link #plan} makes it;
 * {@link BatchWriter#commit} executes it top to bottom. A batch may have no records: only offsets
 * then move (past transaction markers), so that stored offsets reach the topics' end offsets.
 *
 * @param statements only those that have rows
 * @param months the first day (UTC) of each month each partitioned table receives rows for, sorted
 * @param rejected records the sink refused itself, dead-lettered by the dead-letters statement
 */
record Batch(
    List<SinkRecord> records,
    List<Sql.Statement> statements,
    Map<String, Set<LocalDate>> months,
    int rejected,
    Map<TopicPartition, OffsetStore.Advance> advances) {
  Batch {
    records = List.copyOf(records);
    statements = List.copyOf(statements);
    // Sorted, so that partitions are created in the same order by every instance.
    Map<String, Set<LocalDate>> copy = new TreeMap<>();
    months.forEach(
        (table, days) -> copy.put(table, Collections.unmodifiableSet(new TreeSet<>(days))));
    months = Collections.unmodifiableMap(copy);
    advances = Map.copyOf(advances);
  }

  /**
   * The plan that writes {@code records}, moving no offsets yet ({@link #advancing}). The one place
   * that tells records apart: an event or a rollup goes to its writer with its {@link Family}
   * (whose entry there says which tables it fills), an alert, a dead letter or a record the decoder
   * refused to theirs. Every other step reads the plan.
   */
  static Batch plan(List<SinkRecord> records) {
    EventWrites events = new EventWrites();
    RollupWrites rollups = new RollupWrites();
    AlertWrites alerts = new AlertWrites();
    DeadLetterWrites deadLetters = new DeadLetterWrites();
    int rejected = 0;
    for (SinkRecord r : records) {
      Object p = r.payload();
      if (p instanceof SinkRecord.Rejected why) {
        deadLetters.add(r, why);
        rejected++;
      } else if (p instanceof SpecificRecord e && Family.forEventType(e.getClass()).isPresent()) {
        events.add(Family.ofEvent(e), e);
      } else if (p instanceof SpecificRecord c && Family.forRollupType(c.getClass()).isPresent()) {
        rollups.add(Family.ofRollup(c), c);
      } else if (p instanceof Alert a) {
        alerts.add(a);
      } else if (p instanceof DeadLetter d) {
        deadLetters.add(d);
      } else {
        throw new IllegalStateException("no writer for " + p);
      }
    }
    List<Sql.Statement> statements = new ArrayList<>(events.statements());
    statements.addAll(rollups.statements());
    statements.add(alerts.statement());
    statements.add(deadLetters.statement());
    statements.removeIf(s -> s.rows().isEmpty());
    Map<String, Set<LocalDate>> months = new TreeMap<>(events.months());
    months.putAll(rollups.months());
    return new Batch(records, statements, months, rejected, Map.of());
  }

  /** This plan, committing these offset moves with its rows. */
  Batch advancing(Map<TopicPartition, OffsetStore.Advance> advances) {
    return new Batch(records, statements, months, rejected, advances);
  }

  /**
   * This batch without the partitions this instance no longer owns: planned again from the records
   * that stay when any of its records goes, else the same plan with fewer offset moves.
   */
  Batch without(Collection<TopicPartition> revoked) {
    Set<TopicPartition> gone = Set.copyOf(revoked);
    Map<TopicPartition, OffsetStore.Advance> kept = new HashMap<>(advances);
    kept.keySet().removeAll(gone);
    List<SinkRecord> stay =
        records.stream()
            .filter(r -> !gone.contains(new TopicPartition(r.topic(), r.partition())))
            .toList();
    return (stay.size() == records.size() ? this : plan(stay)).advancing(kept);
  }

  boolean isEmpty() {
    return advances.isEmpty() && records.isEmpty();
  }
}
