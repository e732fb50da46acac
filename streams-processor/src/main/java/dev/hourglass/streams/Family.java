package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * One kind of event and the rollup it adds up to: how to read an event's key and time, what it adds
 * to a window, and how windows become Avro rollups and corrections. The processor is written once
 * against this interface; a new measure is a change to one family.
 */
interface Family<E extends SpecificRecord> {

  /** task, agent or integration: used in store, node and rule names. */
  String name();

  /** project, agent or integration: the Alert's entity_type. */
  String entityType();

  Class<E> eventType();

  String eventId(E event);

  long occurredAt(E event);

  String organizationId(E event);

  String entityKey(E event);

  /**
   * A descriptive attribute carried into the rollup (agent_type), or "" when the family has none.
   */
  String label(E event);

  /** What {@code event} alone adds to its window. */
  Measures measure(E event);

  Measures empty();

  SpecificRecord rollup(WindowState window, boolean isFinal, long emittedAt);

  SpecificRecord correction(WindowState delta, long emittedAt);

  Set<Metric> metrics();

  /** The value of {@code metric}; NaN when the window has nothing to compute it from. */
  double metric(Metric metric, Measures measures);

  /** How many events {@code metric} was computed from, compared with a rule's min_events. */
  long sample(Metric metric, Measures measures);

  static List<Family<?>> all() {
    return List.of(Families.TASK, Families.AGENT, Families.INTEGRATION);
  }

  static List<Long> histogram(long[] counts) {
    List<Long> list = new ArrayList<>(LogHistogram.BUCKETS);
    for (long c : counts) {
      list.add(c);
    }
    return list;
  }

  static double p95(long[] counts) {
    return LogHistogram.percentile(histogram(counts), 0.95);
  }

  static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
