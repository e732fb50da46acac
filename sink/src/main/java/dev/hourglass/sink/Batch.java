package dev.hourglass.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one database transaction, in the order they were consumed, the offset moves
 * committed with them, and the statements that write the records ({@link BatchWriter#prepare},
 * computed when the batch is made, on the thread that makes it). A batch may have no records: only
 * offsets then move (past transaction markers), so that stored offsets reach the topics' end
 * offsets.
 */
record Batch(
    List<SinkRecord> records,
    Map<TopicPartition, OffsetStore.Advance> advances,
    List<Sql.Statement> statements) {
  Batch {
    records = List.copyOf(records);
    advances = Map.copyOf(advances);
    statements = List.copyOf(statements);
  }

  Batch(List<SinkRecord> records, Map<TopicPartition, OffsetStore.Advance> advances) {
    this(records, advances, BatchWriter.prepare(records));
  }

  /** This batch without the partitions this instance no longer owns. */
  Batch without(Collection<TopicPartition> revoked) {
    Set<TopicPartition> gone = Set.copyOf(revoked);
    Map<TopicPartition, OffsetStore.Advance> kept = new HashMap<>(advances);
    kept.keySet().removeAll(gone);
    return new Batch(
        records.stream()
            .filter(r -> !gone.contains(new TopicPartition(r.topic(), r.partition())))
            .toList(),
        kept);
  }

  boolean isEmpty() {
    return advances.isEmpty() && records.isEmpty();
  }
}
