package dev.hourglass.bench;

import dev.hourglass.bench.RollupWatch.RollupCount;
import dev.hourglass.events.TaskEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Send-to-rollup latency of task events: when the generator sends the k-th event of a rollup row
 * (organization, project, hour), that event is reflected once the row's {@code event_count} in
 * PostgreSQL reaches k. Each poll of the rows resolves every pending event its counts cover; the
 * latency is from the send to the start of the poll that first saw it (an upper bound, by at most
 * one poll interval). Events sent before {@code measureFromNanos} (warm-up) are resolved but not
 * recorded. Thread-safe: the sending thread and the polling thread share it.
 */
final class LatencyTracker {
  private record Key(String organization, String project, Instant windowStart) {}

  private final Map<Key, Long> sent = new HashMap<>();
  private final Map<Key, ArrayDeque<long[]>> pending = new HashMap<>();
  private final Histogram micros = new Histogram(3_600_000_000L, 3);
  private final long measureFromNanos;
  private long unresolved;

  LatencyTracker(long measureFromNanos) {
    this.measureFromNanos = measureFromNanos;
  }

  synchronized void sending(TaskEvent event, long nanoTime) {
    Key key =
        new Key(
            event.getOrganizationId(),
            event.getProjectId(),
            event.getOccurredAt().truncatedTo(ChronoUnit.HOURS));
    long k = sent.merge(key, 1L, Long::sum);
    pending.computeIfAbsent(key, x -> new ArrayDeque<>()).add(new long[] {k, nanoTime});
    unresolved++;
  }

  /**
   * Resolves the events that the rows' counts, read by a poll started at {@code pollNanos}, cover.
   */
  synchronized void observed(List<RollupCount> rows, long pollNanos) {
    for (RollupCount row : rows) {
      ArrayDeque<long[]> queue =
          pending.get(new Key(row.organizationId(), row.entityKey(), row.windowStart()));
      while (queue != null && !queue.isEmpty() && queue.peekFirst()[0] <= row.eventCount()) {
        long sentAt = queue.pollFirst()[1];
        unresolved--;
        if (sentAt >= measureFromNanos) {
          micros.recordValue(Math.max(0, (pollNanos - sentAt) / 1_000));
        }
      }
    }
  }

  /** Events sent but not yet seen in PostgreSQL. */
  synchronized long unresolved() {
    return unresolved;
  }

  /** The recorded latencies in microseconds (a copy). */
  synchronized Histogram histogram() {
    return micros.copy();
  }
}
