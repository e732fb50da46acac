package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import java.util.Arrays;

/**
 * The measures of one window or one delta, in the layout its {@link Aggregation} defines: counters
 * and integer sums in {@link #longs}, floating sums in {@link #doubles}, and a {@link
 * LogHistogram}. An open window's measures are added to in place ({@link #checkAddable}, then
 * {@link #add}); everything else treats them as a value ({@link #plusExact} returns a new
 * instance).
 */
final class Measures {
  final long[] longs;
  final double[] doubles;
  final long[] histogram;

  Measures(int longCount, int doubleCount) {
    this(new long[longCount], new double[doubleCount], new long[LogHistogram.BUCKETS]);
  }

  Measures(long[] longs, double[] doubles, long[] histogram) {
    if (histogram.length != LogHistogram.BUCKETS) {
      throw new IllegalArgumentException(
          "a histogram has " + LogHistogram.BUCKETS + " buckets, not " + histogram.length);
    }
    this.longs = longs;
    this.doubles = doubles;
    this.histogram = histogram;
  }

  /** Sets every measure to zero, for reuse as the next event's delta; returns this. */
  Measures clear() {
    Arrays.fill(longs, 0);
    Arrays.fill(doubles, 0);
    Arrays.fill(histogram, 0);
    return this;
  }

  /** Index 0 of every family's longs: the events counted. */
  long eventCount() {
    return longs[0];
  }

  /**
   * This plus {@code other}. Throws {@link ArithmeticException} instead of wrapping around or
   * reaching infinity, before anything changes, so one absurd event fails alone.
   */
  Measures plusExact(Measures other) {
    Measures sum = new Measures(longs.clone(), doubles.clone(), histogram.clone());
    sum.checkAddable(other);
    sum.add(other);
    return sum;
  }

  /**
   * Throws {@link ArithmeticException} if {@link #add} of {@code other} would wrap around or reach
   * infinity; changes nothing. The processor checks an event against its window first, so that one
   * absurd event fails alone, and then adds it in place: a window is not copied per event.
   */
  void checkAddable(Measures other) {
    for (int i = 0; i < longs.length; i++) {
      Math.addExact(longs[i], other.longs[i]);
    }
    for (int i = 0; i < doubles.length; i++) {
      if (!Double.isFinite(doubles[i] + other.doubles[i])) {
        throw new ArithmeticException(
            "double sum overflow: " + doubles[i] + " + " + other.doubles[i]);
      }
    }
    for (int i = 0; i < histogram.length; i++) {
      // An event's delta has one bucket set at most: skip the rest.
      if (other.histogram[i] != 0) {
        Math.addExact(histogram[i], other.histogram[i]);
      }
    }
  }

  /** Adds {@code other} to this, in place, after {@link #checkAddable} passed. */
  void add(Measures other) {
    for (int i = 0; i < longs.length; i++) {
      longs[i] += other.longs[i];
    }
    for (int i = 0; i < doubles.length; i++) {
      doubles[i] += other.doubles[i];
    }
    for (int i = 0; i < histogram.length; i++) {
      histogram[i] += other.histogram[i];
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Measures m
        && Arrays.equals(longs, m.longs)
        && Arrays.equals(doubles, m.doubles)
        && Arrays.equals(histogram, m.histogram);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(longs) * 31 + Arrays.hashCode(histogram);
  }

  @Override
  public String toString() {
    return "Measures" + Arrays.toString(longs) + Arrays.toString(doubles);
  }
}
