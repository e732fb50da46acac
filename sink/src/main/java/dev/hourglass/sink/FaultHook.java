package dev.hourglass.sink;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Called between the steps of a batch commit so that tests can crash the sink at a precise point
 * (by throwing an {@link Error}, which the sink does not catch: like a killed process, it closes
 * nothing), and where the benchmark starts its clock. Production uses {@link #NONE}. The batch
 * steps run on the writer thread, {@link #afterSeek} on the loop's thread.
 */
interface FaultHook {
  FaultHook NONE = new FaultHook() {};

  /** Partitions were seeked to their stored offsets: records are read from them from now on. */
  default void afterSeek(Set<TopicPartition> partitions) {}

  /** The batch is cut; nothing of it has reached the database yet. */
  default void beforeWrite(Batch batch) {}

  /** Rows and offset moves are written, the transaction is not committed yet. */
  default void beforeCommit(Batch batch) {}

  /** The transaction is committed; the sink has not recorded the new offsets in memory yet. */
  default void afterCommit(Batch batch) {}
}
