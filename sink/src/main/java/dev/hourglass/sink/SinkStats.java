package dev.hourglass.sink;

/**
 * What a sink instance has done since it started.
 *
 * @param batchesCommitted transactions committed (with rows, offsets or both)
 * @param recordsCommitted Kafka records whose effects are committed (dead letters included)
 * @param deadLettered records this instance dead-lettered (undecodable, invalid, refused by the
 *     database); rows that came as dead letters from the processor are not counted here
 * @param transientFailures failed attempts that were retried (database away, timeouts, deadlocks)
 * @param commitsRejected batches rolled back because another instance had moved the offsets
 * @param partitionsRevoked rebalances that took partitions from this instance (revoked or lost)
 * @param partitionsReady partitions this instance owns and has seeked to the offsets stored in
 *     PostgreSQL: the ones it reads from now
 * @param commitsLost commits of this instance that PostgreSQL acknowledged and then lost
 *     (asynchronous commits lost in a crash, {@code sink.synchronous.commit=off}, or a backup
 *     restored), found when a later batch saw the stored offsets behind its own; their records were
 *     replayed from Kafka
 * @param offsetsReplayed Kafka offsets read again because of those lost commits
 */
public record SinkStats(
    long batchesCommitted,
    long recordsCommitted,
    long deadLettered,
    long transientFailures,
    long commitsRejected,
    long partitionsRevoked,
    int partitionsReady,
    long commitsLost,
    long offsetsReplayed) {}
