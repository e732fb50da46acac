package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import java.util.Arrays;

/**
 * The measures of one window or one delta, in the layout its {@link Family} defines: counters and
 * integer sums in {@link #longs}, floating sums in {@link #doubles}, and a {@link LogHistogram}.
 * Treated as a value once built: {@link #plusExact} returns a new instance.
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

  /** Index 0 of every family's longs: the events counted. */
  long eventCount() {
    return longs[0];
  }

  /**
   * This plus {@code other}. Throws {@link ArithmeticException} instead of wrapping around or
   * reaching infinity, before anything changes, so one absurd event fails alone.
   */
  Measures plusExact(Measures other) {
    long[] l = new long[longs.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = Math.addExact(longs[i], other.longs[i]);
    }
    double[] d = new double[doubles.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = doubles[i] + other.doubles[i];
      if (!Double.isFinite(d[i])) {
        throw new ArithmeticException(
            "double sum overflow: " + doubles[i] + " + " + other.doubles[i]);
      }
    }
    long[] h = new long[histogram.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = Math.addExact(histogram[i], other.histogram[i]);
    }
    return new Measures(l, d, h);
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
