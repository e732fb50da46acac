package dev.hourglass.sink;

/**
 * Called between the steps of a batch commit so that tests can crash the sink at a precise point
 * (by throwing an {@link Error}, which the sink does not catch: like a killed process, it closes
 * nothing). Production uses {@link #NONE}.
 */
interface FaultHook {
  FaultHook NONE = new FaultHook() {};

  /** The batch is cut; nothing of it has reached the database yet. */
  default void beforeWrite(Batch batch) {}

  /** Rows and offset moves are written, the transaction is not committed yet. */
  default void beforeCommit(Batch batch) {}

  /** The transaction is committed; the sink has not recorded the new offsets in memory yet. */
  default void afterCommit(Batch batch) {}
}
