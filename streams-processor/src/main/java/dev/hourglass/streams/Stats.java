package dev.hourglass.streams;

import java.util.Map;
import java.util.TreeMap;

/**
 * The books of one input partition: what was counted, suppressed, corrected and dead-lettered, and
 * the partition's stream time. Kept in the stats store (so exact across restarts under
 * exactly-once) and published as JSON on the stats topic.
 */
final class Stats {
  long counted;
  long duplicatesSuppressed;
  long lateCorrected;

  /**
   * Records that arrived here on a partition that is not their key's and were forwarded to the
   * owner's task, which counts them: not part of this partition's counted, dead-lettered or
   * duplicates.
   */
  long rerouted;

  final Map<String, Long> deadLettered = new TreeMap<>();
  long streamTime = Long.MIN_VALUE;

  /**
   * The dedup store's clock, which event_ids are stored and expired by: it follows stream time but
   * never runs faster than the wall clock while the task runs ({@code
   * FamilyProcessor#advanceDedupTime}). Starts at the first stream time.
   */
  long dedupTime = Long.MIN_VALUE;

  void deadLettered(String reason) {
    deadLettered.merge(reason, 1L, Long::sum);
  }

  long deadLetteredTotal() {
    return deadLettered.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The stats topic's JSON (docs/contracts.md); reason codes are [A-Z_] and need no escaping. */
  String toJson() {
    StringBuilder b = new StringBuilder(128);
    b.append("{\"counted\":").append(counted);
    b.append(",\"duplicates_suppressed\":").append(duplicatesSuppressed);
    b.append(",\"late_corrected\":").append(lateCorrected);
    b.append(",\"rerouted\":").append(rerouted);
    b.append(",\"dead_lettered\":{");
    boolean first = true;
    for (Map.Entry<String, Long> e : deadLettered.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append('"').append(e.getKey()).append("\":").append(e.getValue());
    }
    b.append("},\"stream_time\":").append(streamTime == Long.MIN_VALUE ? "null" : streamTime);
    return b.append('}').toString();
  }
}
