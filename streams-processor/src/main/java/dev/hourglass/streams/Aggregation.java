package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import dev.hourglass.contract.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one {@link Family} of the contract adds up to in the processor: what an event adds to its
 * window, how windows become the family's Avro rollups and corrections, and the metrics its alert
 * rules may use. The family's identity (name, entity, types, topic, the fields every event carries)
 * is the contract's; the processor is written once against this interface, and a new measure is a
 * change to one aggregation ({@link Families}).
 */
interface Aggregation<E extends SpecificRecord> {

  Family family();

  /** {@code family().eventType()}, typed for {@link #measure} (checked by {@link Families}). */
  Class<E> eventType();

  /**
   * A descriptive attribute carried into the rollup (agent_type), or "" when the family has none.
   */
  String label(E event);

  /** What {@code event} alone adds to its window, in a new instance. */
  default Measures measure(E event) {
    return measure(event, empty());
  }

  /**
   * What {@code event} alone adds to its window, written into {@code into} (all zero, of this
   * family's layout) and returned: the processor reuses one instance for the events that add to an
   * open window, instead of allocating a 128-bucket histogram per event.
   */
  Measures measure(E event, Measures into);

  Measures empty();

  SpecificRecord rollup(WindowState window, boolean isFinal, long emittedAt);

  SpecificRecord correction(WindowState delta, long emittedAt);

  Set<Metric> metrics();

  /** The value of {@code metric}; NaN when the window has nothing to compute it from. */
  double metric(Metric metric, Measures measures);

  /** How many events {@code metric} was computed from, compared with a rule's min_events. */
  long sample(Metric metric, Measures measures);

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
