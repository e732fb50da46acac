package dev.hourglass.streams;

import dev.hourglass.contract.Family;
import java.util.List;
import java.util.Map;

/**
 * Where each task reports its books as it publishes them on the stats topic, and what it emits: the
 * metrics of {@link ProcessorMetrics}, or nothing in topology tests. Called on stream threads.
 */
interface Books {
  Books NONE =
      new Books() {
        @Override
        public void published(String statsKey, Family family, Snapshot books) {}

        @Override
        public void closed(String statsKey) {}

        @Override
        public void rollupEmitted(Family family, String kind) {}

        @Override
        public void alertEmitted(Family family, String rule, String state) {}

        @Override
        public void rules(Family family, List<String> rules) {}
      };

  /** One input partition's books, as last published on the stats topic (immutable). */
  record Snapshot(
      long counted,
      long duplicatesSuppressed,
      long lateCorrected,
      long rerouted,
      Map<String, Long> deadLettered,
      long streamTime) {
    public Snapshot {
      deadLettered = Map.copyOf(deadLettered);
    }

    static Snapshot of(Stats s) {
      return new Snapshot(
          s.counted,
          s.duplicatesSuppressed,
          s.lateCorrected,
          s.rerouted,
          s.deadLettered,
          s.streamTime);
    }
  }

  /** The task of {@code statsKey} published these books (at start, and whenever they changed). */
  void published(String statsKey, Family family, Snapshot books);

  /**
   * The task of {@code statsKey} left this instance (closed, migrated, or revived from its store).
   */
  void closed(String statsKey);

  /**
   * A rollup record was forwarded: {@code kind} is {@code update}, {@code final} or {@code
   * correction}.
   */
  void rollupEmitted(Family family, String kind);

  /** The family's alert rules, known before any alert: their counters exist from the start. */
  void rules(Family family, List<String> rules);

  /** An alert was forwarded. */
  void alertEmitted(Family family, String rule, String state);
}
